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
  /** `pts`: the first sample's presentation time in seconds (tfdt plus its composition offset). */
  | { kind: 'fragment'; bytes: Buffer; pts: number };

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
        yield { kind: 'fragment', bytes: Buffer.concat([moof, box]), pts: fragmentPts(moof) / timescale };
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
    const all = Buffer.concat(this.#chunks, this.length);
    const box = all.subarray(0, header.size);
    const rest = all.subarray(header.size);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
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

/** tfdt's baseMediaDecodeTime plus the first sample's composition offset, in timescale units. */
export function fragmentPts(moof: Buffer): number {
  const traf = child(moof, ['moof', 8, moof.length], 'traf');
  const tfdt = child(moof, traf, 'tfdt');
  if (!tfdt) throw new Fmp4Error('a fragment without tfdt');
  const decode =
    moof[tfdt[1]] === 1 ? Number(moof.readBigUInt64BE(tfdt[1] + 4)) : moof.readUInt32BE(tfdt[1] + 4);
  const trun = child(moof, traf, 'trun');
  if (!trun) return decode;
  const version = moof[trun[1]]!;
  const flags = moof.readUIntBE(trun[1] + 1, 3);
  if (!(flags & 0x800) || moof.readUInt32BE(trun[1] + 4) === 0) return decode;
  // Optional fields before the first sample: data offset, first-sample flags; then per sample
  // duration, size, flags, and the composition offset we want.
  let pos = trun[1] + 8;
  for (const bit of [0x1, 0x4, 0x100, 0x200, 0x400]) if (flags & bit) pos += 4;
  return decode + (version === 1 ? moof.readInt32BE(pos) : moof.readUInt32BE(pos));
}
