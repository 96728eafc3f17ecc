/**
 * Reads FFmpeg's fragmented MP4 as it streams out: first the init segment (everything before the first
 * moof: ftyp + moov), then each fragment (moof + mdat) with the presentation time of its first sample.
 * An async generator, so the consumer pulls: while it does not, stdout is not read, the pipe fills and
 * FFmpeg blocks — the pacing of an encoder is the pipe's backpressure. One track per output (HLS
 * renditions are single-track).
 */
import { parseBoxHeader } from '../mp4-boxes.js';

export type Fmp4Part =
  | { kind: 'init'; bytes: Buffer; timescale: number }
  /**
   * `pts`: the first sample's presentation time in seconds (tfdt plus its composition offset); `end`:
   * where the fragment's media ends (pts plus its samples' durations); `frame`: the first sample's duration.
   */
  | { kind: 'fragment'; bytes: Buffer; pts: number; end: number; frame: number };

/** A box larger than this is not something FFmpeg writes for one fragment: the stream is corrupt. */
const MAX_BOX = 512 * 1024 * 1024;

export class Fmp4Error extends Error {
  override name = 'Fmp4Error';
}

export async function* readFmp4(chunks: AsyncIterable<Buffer>): AsyncGenerator<Fmp4Part> {
  const buffer = new ChunkBuffer();
  const init: Buffer[] = [];
  let timescale = 0;
  let moof: Buffer | null = null;
  for await (const chunk of chunks) {
    buffer.push(chunk);
    for (let box = buffer.takeBox(); box; box = buffer.takeBox()) {
      const type = box.toString('latin1', 4, 8);
      if (timescale === 0) {
        if (type !== 'moof') {
          init.push(box);
          continue;
        }
        const head = Buffer.concat(init);
        timescale = initTimescale(head);
        yield { kind: 'init', bytes: head, timescale };
      }
      if (type === 'moof') moof = box;
      else if (type === 'mdat' && moof) {
        const { pts, duration, frame } = fragmentTimes(moof);
        const bytes = Buffer.concat([moof, box]);
        const times = { pts: pts / timescale, end: (pts + duration) / timescale, frame: frame / timescale };
        yield { kind: 'fragment', bytes, ...times };
        moof = null;
      }
      // styp, sidx, free, mfra: nothing a segment needs.
    }
  }
  if (buffer.length > 0) throw new Fmp4Error(`the output ended inside a box (${buffer.length} bytes left)`);
}

/** Collects chunks until a whole top-level box is there. */
class ChunkBuffer {
  #chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.length += chunk.length;
  }

  takeBox(): Buffer | null {
    if (this.length < 8) return null;
    const head = this.#peek(Math.min(16, this.length));
    const header = parseBoxHeader(head);
    if (!header) return null;
    if (!Number.isFinite(header.size) || header.size > MAX_BOX) {
      throw new Fmp4Error(`unexpected ${header.type} box of ${header.size} bytes`);
    }
    if (this.length < header.size) return null;
    // Most boxes sit inside the first chunk: a view of it, no copy. Otherwise join just the chunks needed.
    let first = this.#chunks[0]!;
    if (first.length < header.size) {
      let joined = 0;
      let count = 0;
      while (joined < header.size) joined += this.#chunks[count++]!.length;
      first = Buffer.concat(this.#chunks.splice(0, count, Buffer.alloc(0)), joined);
      this.#chunks[0] = first;
    }
    const box = first.subarray(0, header.size);
    if (first.length === header.size) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(header.size);
    this.length -= header.size;
    return box;
  }

  #peek(n: number): Buffer {
    if (this.#chunks[0]!.length >= n) return this.#chunks[0]!;
    return Buffer.concat(this.#chunks, this.length).subarray(0, n);
  }
}

/** Children of a box's payload between `start` and `end`, as [type, payloadStart, end]. */
function children(buf: Buffer, start: number, end: number): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = [];
  let pos = start;
  while (pos + 8 <= end) {
    const header = parseBoxHeader(buf.subarray(pos, end));
    if (!header || pos + header.size > end || !Number.isFinite(header.size)) break;
    out.push([header.type, pos + header.headerSize, pos + header.size]);
    pos += header.size;
  }
  return out;
}

function child(buf: Buffer, parent: [string, number, number] | undefined, type: string) {
  return parent ? children(buf, parent[1], parent[2]).find(([t]) => t === type) : undefined;
}

/** The first track's media timescale (moov/trak/mdia/mdhd). */
export function initTimescale(init: Buffer): number {
  const moov = children(init, 0, init.length).find(([t]) => t === 'moov');
  const mdhd = child(init, child(init, child(init, moov, 'trak'), 'mdia'), 'mdhd');
  if (!mdhd) throw new Fmp4Error('the init segment has no track timescale');
  const version = init[mdhd[1]]!;
  const timescale = init.readUInt32BE(mdhd[1] + (version === 1 ? 20 : 12));
  if (timescale === 0) throw new Fmp4Error('the track timescale is 0');
  return timescale;
}

/**
 * In timescale units: the first sample's presentation time (tfdt's baseMediaDecodeTime plus its
 * composition offset), the fragment's duration (its samples' durations, or tfhd's default for each) and
 * its first sample's.
 */
export function fragmentTimes(moof: Buffer): { pts: number; duration: number; frame: number } {
  const traf = child(moof, ['moof', 8, moof.length], 'traf');
  const tfdt = child(moof, traf, 'tfdt');
  if (!tfdt) throw new Fmp4Error('a fragment without tfdt');
  const decode =
    moof[tfdt[1]] === 1 ? Number(moof.readBigUInt64BE(tfdt[1] + 4)) : moof.readUInt32BE(tfdt[1] + 4);
  const trun = child(moof, traf, 'trun');
  if (!trun) return { pts: decode, duration: 0, frame: 0 };
  const version = moof[trun[1]]!;
  const flags = moof.readUIntBE(trun[1] + 1, 3);
  const count = moof.readUInt32BE(trun[1] + 4);
  // Per sample: duration, size, flags, composition offset, each present when its flag is set.
  const fields = [0x100, 0x200, 0x400, 0x800].filter((bit) => flags & bit);
  let pos = trun[1] + 8 + (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0);
  if (pos + count * fields.length * 4 > trun[2]) throw new Fmp4Error('a trun shorter than its samples');
  let duration = 0;
  let offset = 0;
  let frame = 0;
  if (flags & 0x100) {
    for (let i = 0; i < count; i++) duration += moof.readUInt32BE(pos + i * fields.length * 4);
    frame = count > 0 ? moof.readUInt32BE(pos) : 0;
  } else {
    frame = defaultDuration(moof, child(moof, traf, 'tfhd'));
    duration = count * frame;
  }
  if (flags & 0x800 && count > 0) {
    pos += (fields.length - 1) * 4;
    offset = version === 1 ? moof.readInt32BE(pos) : moof.readUInt32BE(pos);
  }
  return { pts: decode + offset, duration, frame };
}

/** tfhd's default_sample_duration (flag 0x08), after the optional base offset and description index. */
function defaultDuration(moof: Buffer, tfhd: [string, number, number] | undefined): number {
  if (!tfhd) return 0;
  const flags = moof.readUIntBE(tfhd[1] + 1, 3);
  if (!(flags & 0x08)) return 0;
  const pos = tfhd[1] + 8 + (flags & 0x01 ? 8 : 0) + (flags & 0x02 ? 4 : 0);
  return pos + 4 <= tfhd[2] ? moof.readUInt32BE(pos) : 0;
}
