/**
 * Sequential reading of one region of a file through ranged reads, a chunk at a time, so a large index
 * (a film's Cues or stts) is parsed linearly without holding it in one buffer, and the event loop gets a
 * turn between chunks.
 */
import { setImmediate as yieldTurn } from 'node:timers/promises';
import type { ReadAt } from './index.js';

/** The index is malformed or beyond what we accept; the caller falls back (transcode) as with no index. */
export class KeyframeIndexError extends Error {
  override name = 'KeyframeIndexError';
}

/** The largest index region we parse (a 3-hour film's tables take a few MB). */
export const MAX_INDEX_BYTES = 64 * 1024 * 1024;
/** The most keyframes (or table entries) we accept: far beyond any real file, short of exhausting memory. */
export const MAX_ENTRIES = 4_000_000;

export class Region {
  private buf: Buffer = Buffer.alloc(0);
  private bufAt = 0;
  /** Absolute position of the next byte to parse. */
  pos: number;

  constructor(
    private readonly read: ReadAt,
    readonly start: number,
    readonly end: number,
    private readonly signal?: AbortSignal,
    private readonly chunk = 256 * 1024,
  ) {
    this.pos = start;
  }

  get left(): number {
    return this.end - this.pos;
  }

  /** Makes the next n bytes available to the sync getters; throws if the region (or file) ends first. */
  async need(n: number): Promise<void> {
    if (this.pos + n > this.end) throw new KeyframeIndexError(`truncated at byte ${this.pos}`);
    const off = this.pos - this.bufAt;
    if (off >= 0 && off + n <= this.buf.length) return;
    this.signal?.throwIfAborted();
    const length = Math.min(Math.max(n, this.chunk), this.end - this.pos);
    const got = await this.read(this.pos, length);
    if (got.length < n) throw new KeyframeIndexError(`file ends at byte ${this.pos + got.length}`);
    this.buf = got;
    this.bufAt = this.pos;
    // Each refill is a natural point to let other work run: parsing stays chunked, never one long block.
    if (length >= this.chunk) await yieldTurn();
    this.signal?.throwIfAborted();
  }

  seek(pos: number): void {
    this.pos = pos;
  }

  skip(n: number): void {
    this.pos += n;
  }

  private at(n: number): number {
    const off = this.pos - this.bufAt;
    if (off < 0 || off + n > this.buf.length) throw new KeyframeIndexError(`truncated at byte ${this.pos}`);
    this.pos += n;
    return off;
  }

  u8(): number {
    return this.buf[this.at(1)]!;
  }

  u16(): number {
    return this.buf.readUInt16BE(this.at(2));
  }

  u32(): number {
    return this.buf.readUInt32BE(this.at(4));
  }

  i32(): number {
    return this.buf.readInt32BE(this.at(4));
  }

  u32le(): number {
    return this.buf.readUInt32LE(this.at(4));
  }

  u16le(): number {
    return this.buf.readUInt16LE(this.at(2));
  }

  u64le(): number {
    const v = this.buf.readBigUInt64LE(this.at(8));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new KeyframeIndexError('64-bit value out of range');
    return Number(v);
  }

  u64(): number {
    const v = this.buf.readBigUInt64BE(this.at(8));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new KeyframeIndexError('64-bit value out of range');
    return Number(v);
  }

  i64(): number {
    return Number(this.buf.readBigInt64BE(this.at(8)));
  }

  bytes(n: number): Buffer {
    const off = this.at(n);
    return this.buf.subarray(off, off + n);
  }

  ascii(n: number): string {
    return this.bytes(n).toString('latin1');
  }
}

/** Fails clearly on a region larger than we parse. */
export function capRegion(what: string, length: number, max = MAX_INDEX_BYTES): void {
  if (length > max) throw new KeyframeIndexError(`${what} is ${length} bytes, more than the ${max} accepted`);
}
