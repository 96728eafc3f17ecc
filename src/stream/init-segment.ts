/**
 * A pass-through on FFmpeg's stdout that follows the top-level MP4 boxes as they stream by (keeping only a
 * box header's few bytes, never the data) to know when the init segment (ftyp + moov) is fully out and where
 * the first fragment (moof) starts.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { parseBoxHeader } from './mp4-boxes.js';

export class InitSegmentWatcher extends Transform {
  /** Resolves with the init segment's size once ftyp + moov have passed; rejects if the output ends first. */
  readonly init: Promise<number>;
  firstMoofOffset: number | null = null;
  bytes = 0;
  #resolve!: (size: number) => void;
  #reject!: (err: Error) => void;
  #settled = false;
  #sawFtyp = false;
  #initEnd: number | null = null;
  /** Bytes of the current box still to skip; header bytes collected while at a box boundary. */
  #remaining = 0;
  #header: Buffer = Buffer.alloc(0);
  /** Parsing stops at the first moof (nothing more to learn) or on a box that cannot be followed. */
  #parsing = true;

  constructor() {
    super();
    this.init = new Promise<number>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.init.catch(() => undefined); // observed through the streamer's `ready`
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    const start = this.bytes;
    this.bytes += chunk.length;
    if (this.#parsing) this.#scan(chunk, start);
    this.push(chunk);
    // Resolved only once the moov's last byte has been pushed on, never at its header.
    if (this.#initEnd !== null && this.bytes >= this.#initEnd && !this.#settled) {
      this.#settled = true;
      this.#resolve(this.#initEnd);
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.#fail(new Error(`the output ended after ${this.bytes} bytes without an init segment (ftyp+moov)`));
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#fail(err ?? new Error('the output was closed before the init segment'));
    callback(err);
  }

  #fail(err: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(err);
  }

  #scan(chunk: Buffer, chunkStart: number): void {
    let i = 0;
    while (i < chunk.length && this.#parsing) {
      if (this.#remaining > 0) {
        const skip = Math.min(this.#remaining, chunk.length - i);
        i += skip;
        this.#remaining -= skip;
        continue;
      }
      const need = 16 - this.#header.length;
      const boxStart = chunkStart + i - this.#header.length;
      const taken = chunk.subarray(i, i + need);
      const header = Buffer.concat([this.#header, taken]);
      let parsed: ReturnType<typeof parseBoxHeader>;
      try {
        parsed = parseBoxHeader(header);
      } catch {
        this.#parsing = false; // not MP4 as expected: the streamer judges by init/moof never showing up
        return;
      }
      if (!parsed) {
        this.#header = header; // header split across chunks
        i += taken.length;
        continue;
      }
      this.#header = Buffer.alloc(0);
      i += taken.length - (header.length - parsed.headerSize); // consume just the header bytes
      this.#remaining = parsed.size - parsed.headerSize;
      this.#onBox(parsed.type, boxStart, parsed.size);
    }
  }

  #onBox(type: string, offset: number, size: number): void {
    if (type === 'ftyp') this.#sawFtyp = true;
    else if (type === 'moov' && this.#sawFtyp) this.#initEnd = offset + size;
    else if (type === 'moof') {
      this.firstMoofOffset = offset;
      this.#parsing = false;
    }
    if (!Number.isFinite(size)) this.#parsing = false;
  }
}
