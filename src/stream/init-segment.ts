/**
 * FFmpeg's fragmented MP4 on its way to one destination (the HTTP response), given once the init segment
 * is out: follows the top-level MP4 boxes as they stream by (keeping only a box header's few bytes) to know
 * when the init segment (ftyp + moov) is complete and where the first fragment (moof) starts. Until the
 * destination comes, the init segment's chunks are copied and held; the chunk that completes it waits
 * unanswered, so FFmpeg waits too. A chunk counts as written once the destination's write callback fires,
 * and not sooner: FFmpeg's job may lend chunks of one buffer it reuses (stdout-socket.ts).
 */
import { Writable } from 'node:stream';
import { parseBoxHeader } from './mp4-boxes.js';

type Callback = (error?: Error | null) => void;

export class InitSegmentWatcher extends Writable {
  /** Resolves with the init segment's size once ftyp + moov have passed; rejects if the output ends first. */
  readonly init: Promise<number>;
  firstMoofOffset: number | null = null;
  /** Bytes received. */
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
  #destination: Writable | null = null;
  /** Bytes given to the destination. */
  #sent = 0;
  #fragmentSent: (() => void) | undefined;
  /** Copies of the init segment's chunks, until the destination comes. */
  #held: Buffer[] = [];
  /** The chunk past the init segment's end, waiting for the destination. */
  #waiting: { chunk: Buffer; callback: Callback } | null = null;

  constructor() {
    super();
    this.init = new Promise<number>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.init.catch(() => undefined); // observed through the streamer's `ready`
  }

  /**
   * Everything, from the first byte, goes on to `destination`; `fragmentSent` is called once the first
   * fragment has begun to go out. The destination closing or failing first stops this output (and so FFmpeg).
   */
  sendTo(destination: Writable, fragmentSent?: () => void): void {
    if (this.destroyed) return; // stopped: nothing more goes out
    this.#destination = destination;
    this.#fragmentSent = fragmentSent;
    // The destination failing (a connection reset) or closing is the consumer leaving, not an error here.
    const leave = () => {
      if (!this.writableFinished) this.destroy();
    };
    destination.once('close', leave);
    destination.on('error', leave);
    if (destination.destroyed) {
      leave();
      return;
    }
    for (const chunk of this.#held) this.#send(chunk, () => undefined);
    this.#held = [];
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting) this.#send(waiting.chunk, waiting.callback);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: Callback): void {
    const start = this.bytes;
    this.bytes += chunk.length;
    if (this.#parsing) this.#scan(chunk, start);
    const complete = this.#initEnd !== null && this.bytes >= this.#initEnd;
    if (this.#destination) this.#send(chunk, callback);
    else if (complete) this.#waiting = { chunk, callback };
    else if (this.#parsing) {
      this.#held.push(Buffer.from(chunk));
      callback();
    } else callback(new Error('FFmpeg wrote something other than the MP4 boxes expected'));
    // Resolved only once the moov's last byte has been received, never at its header.
    if (complete && !this.#settled) {
      this.#settled = true;
      this.#resolve(this.#initEnd!);
    }
  }

  #send(chunk: Buffer, callback: Callback): void {
    const start = this.#sent;
    this.#sent += chunk.length;
    this.#destination!.write(chunk, (err) => (err ? this.destroy() : callback()));
    const moof = this.firstMoofOffset;
    if (this.#fragmentSent && moof !== null && moof >= start && moof < this.#sent) {
      this.#fragmentSent();
      this.#fragmentSent = undefined;
    }
  }

  override _final(callback: Callback): void {
    this.#fail(new Error(`the output ended after ${this.bytes} bytes without an init segment (ftyp+moov)`));
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#fail(err ?? new Error('the output was closed before the init segment'));
    this.#held = [];
    this.#waiting = null;
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
        this.#parsing = false; // not MP4 as expected
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
