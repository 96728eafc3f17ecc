/**
 * How much media a player holds of a fragmented MP4 as it arrives: each fragment (`moof` + `mdat`) counts
 * once its `mdat` is complete, up to its last sample's end (`tfdt` + the `trun` durations). With several
 * tracks the media is complete up to the track that is behind. Seconds count from each track's first
 * fragment, so a seek's stream counts from where it starts.
 */

interface Track {
  timescale: number;
  defaultDuration: number;
  first?: number;
  end?: number;
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'mvex', 'moof', 'traf']);

export class Fmp4Clock {
  private readonly tracks = new Map<number, Track>();
  /** Each track's sample duration in the fragment being read, when its `trun` lists none. */
  private readonly fragmentDefault = new Map<number, number>();
  /** Track ends of the `moof` whose `mdat` is still arriving. */
  private pending: Array<[number, number, number]> = [];
  private header = Buffer.alloc(0);
  private box: { type: string; left: number; body: Buffer[] | null } | null = null;

  /** Feeds received bytes; returns the seconds of media complete so far. */
  push(chunk: Buffer): number {
    let i = 0;
    while (i < chunk.length) {
      if (!this.box) {
        const need = 8 - this.header.length;
        this.header = Buffer.concat([this.header, chunk.subarray(i, i + need)]);
        i += Math.min(need, chunk.length - i);
        if (this.header.length < 8) break;
        const size = this.header.readUInt32BE(0);
        const type = this.header.toString('latin1', 4, 8);
        if (size < 8) throw new Error(`fMP4: box ${type} of size ${size} (largesize boxes are not expected)`);
        const keep = type === 'moov' || type === 'moof';
        this.box = { type, left: size - 8, body: keep ? [] : null };
        this.header = Buffer.alloc(0);
      }
      const take = Math.min(this.box.left, chunk.length - i);
      this.box.body?.push(chunk.subarray(i, i + take));
      this.box.left -= take;
      i += take;
      if (this.box.left === 0) this.close(this.box.type, this.box.body);
    }
    return this.seconds();
  }

  seconds(): number {
    if (this.tracks.size === 0) return 0;
    let least = Number.POSITIVE_INFINITY;
    for (const track of this.tracks.values()) {
      if (track.end === undefined || track.first === undefined) return 0;
      least = Math.min(least, (track.end - track.first) / track.timescale);
    }
    return least;
  }

  private close(type: string, body: Buffer[] | null): void {
    this.box = null;
    if (type === 'moov' && body) this.walk(Buffer.concat(body), null);
    if (type === 'moof' && body) {
      this.pending = [];
      this.walk(Buffer.concat(body), null);
    }
    if (type === 'mdat') {
      for (const [id, first, end] of this.pending) {
        const track = this.tracks.get(id);
        if (!track) continue;
        track.first ??= first;
        track.end = end;
      }
      this.pending = [];
    }
  }

  /** Walks boxes in `data`; `traf` carries the fragment's track as it is read. */
  private walk(data: Buffer, traf: { id: number; base: number; duration: number } | null): void {
    let offset = 0;
    while (offset + 8 <= data.length) {
      const size = data.readUInt32BE(offset);
      const type = data.toString('latin1', offset + 4, offset + 8);
      if (size < 8 || offset + size > data.length) return;
      const body = data.subarray(offset + 8, offset + size);
      offset += size;
      if (type === 'traf') {
        const fragment = { id: 0, base: 0, duration: 0 };
        this.walk(body, fragment);
        const track = this.tracks.get(fragment.id);
        if (track) this.pending.push([fragment.id, fragment.base, fragment.base + fragment.duration]);
      } else if (type === 'trak') this.trak(body);
      else if (CONTAINERS.has(type)) {
        this.walk(body, traf);
      } else if (type === 'trex') {
        const track = this.tracks.get(body.readUInt32BE(4));
        if (track) track.defaultDuration = body.readUInt32BE(12);
      } else if (traf && type === 'tfhd') this.tfhd(body, traf);
      else if (traf && type === 'tfdt') {
        traf.base = body[0] === 1 ? Number(body.readBigUInt64BE(4)) : body.readUInt32BE(4);
      } else if (traf && type === 'trun') traf.duration += this.trun(body, traf.id);
    }
  }

  /** A `trak` of the init segment: its id (`tkhd`) and timescale (`mdhd`). */
  private trak(body: Buffer): void {
    let id = 0;
    let timescale = 0;
    const find = (data: Buffer) => {
      let offset = 0;
      while (offset + 8 <= data.length) {
        const size = data.readUInt32BE(offset);
        const type = data.toString('latin1', offset + 4, offset + 8);
        if (size < 8 || offset + size > data.length) return;
        const inner = data.subarray(offset + 8, offset + size);
        if (type === 'tkhd') id = inner.readUInt32BE(inner[0] === 1 ? 20 : 12);
        else if (type === 'mdhd') timescale = inner.readUInt32BE(inner[0] === 1 ? 20 : 12);
        else if (type === 'mdia') find(inner);
        offset += size;
      }
    };
    find(body);
    if (id && timescale) this.tracks.set(id, { timescale, defaultDuration: 0 });
  }

  private tfhd(body: Buffer, traf: { id: number; duration: number }): void {
    const flags = body.readUIntBE(1, 3);
    traf.id = body.readUInt32BE(4);
    let at = 8;
    if (flags & 0x1) at += 8; // base data offset
    if (flags & 0x2) at += 4; // sample description index
    const track = this.tracks.get(traf.id);
    if (flags & 0x8 && track) this.fragmentDefault.set(traf.id, body.readUInt32BE(at));
    else this.fragmentDefault.set(traf.id, track?.defaultDuration ?? 0);
  }

  /** The summed sample durations of a `trun`. */
  private trun(body: Buffer, id: number): number {
    const flags = body.readUIntBE(1, 3);
    const count = body.readUInt32BE(4);
    let at = 8;
    if (flags & 0x1) at += 4;
    if (flags & 0x4) at += 4;
    if (!(flags & 0x100)) return count * (this.fragmentDefault.get(id) ?? 0);
    const stride = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
    let sum = 0;
    for (let n = 0; n < count; n++, at += stride) sum += body.readUInt32BE(at);
    return sum;
  }
}
