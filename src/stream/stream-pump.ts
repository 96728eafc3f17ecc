/**
 * The pump: one linear loop that reads the source in order and writes it into a writable (FFmpeg's
 * stdin, or an HTTP response in `direct` mode), waiting on the writable's backpressure between chunks.
 * It never throws: how it ended is its outcome, with the source's error kept in `lastError`.
 */
import type { Writable } from 'node:stream';
import { drained, isAbortError } from './abort.js';
import { type DataSource, DataSourceError } from './data-source.js';

export interface PumpOptions {
  start?: number;
  /** Exclusive; default (and clipped to) the source's size. */
  end?: number;
  /**
   * Default 256 KiB (after smaller first chunks, RAMP_BYTES): a torrent read resolves only once all its bytes are
   * there, so a smaller chunk gets bytes to FFmpeg sooner (one typical piece), while still being few
   * enough reads to cost nothing.
   */
  chunkSize?: number;
  /**
   * Bytes the pump may leave queued in the writable before it waits (default 0: wait on every refused
   * write, until the writable drains). A pipe to FFmpeg drains fully between chunks otherwise, and FFmpeg
   * then idles while the next chunk is read; a queue of a few chunks keeps it fed. The bytes held in
   * memory stay bounded by this plus one chunk.
   */
  queueBytes?: number;
  /** Waiting this long on the source without a byte marks the pump stalled (never fatal). Default 5000. */
  stallAfterMs?: number;
  signal?: AbortSignal;
  onStall?: (stalled: boolean) => void;
}

export type PumpOutcome = 'complete' | 'aborted' | 'reader-closed' | 'failed';

export const DEFAULT_CHUNK_SIZE = 256 * 1024;
/**
 * The first bytes go in smaller chunks: a reader needs only the head to start (FFmpeg ~100–200 kB of an
 * MKV, ffprobe less), and a torrent with small pieces (32 KiB for a 45 MB file) verifies them one by one,
 * so each reaches the reader as it comes instead of once a whole chunk's worth has.
 */
const RAMP_BYTES = 512 * 1024;
export const RAMP_CHUNK = 32 * 1024;

type Sink = NodeJS.WritableStream | Writable;

/** Write errors that only mean the reader went away. */
const READER_GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ECONNRESET', 'ERR_STREAM_WRITE_AFTER_END']);

export class StreamPump {
  #bytes = 0;
  #lastError: Error | null = null;
  #stalled = false;
  #stalledMs = 0;
  #stallSince = 0;
  readonly #source: DataSource;
  readonly #options: PumpOptions;

  constructor(source: DataSource, options: PumpOptions = {}) {
    this.#source = source;
    this.#options = options;
  }

  get bytesPumped(): number {
    return this.#bytes;
  }
  get lastError(): Error | null {
    return this.#lastError;
  }
  get stalled(): boolean {
    return this.#stalled;
  }
  /** Total time spent stalled so far (including a stall in progress). */
  get stalledMs(): number {
    return this.#stalledMs + (this.#stalled ? Date.now() - this.#stallSince : 0);
  }

  async pumpTo(writable: Sink): Promise<{ bytes: number; outcome: PumpOutcome }> {
    const { signal } = this.#options;
    const chunkSize = this.#options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    // A chunk size asked for is kept throughout; the default ramps up from small first chunks.
    const ramp = this.#options.chunkSize === undefined ? RAMP_BYTES : 0;
    // Read again per chunk: a deferred source learns its size only once the file is known.
    const end = () => Math.min(this.#options.end ?? this.#source.size, this.#source.size);
    const start = Math.max(0, this.#options.start ?? 0);
    let offset = start;
    const reader = watchReader(writable);
    // One signal for the source read: the caller's abort, or the reader vanishing mid-wait.
    const readSignal = signal ? AbortSignal.any([signal, reader.signal]) : reader.signal;
    const queue = this.#options.queueBytes
      ? new WriteQueue(writable, this.#options.queueBytes, readSignal)
      : null;
    const finish = (outcome: PumpOutcome) => {
      reader.dispose();
      this.#setStalled(false);
      return { bytes: this.#bytes, outcome };
    };
    try {
      while (offset < end()) {
        if (signal?.aborted) return finish('aborted');
        if (reader.gone()) return finish(reader.failure() ? this.#fail(reader.failure()!) : 'reader-closed');
        const size = offset - start < ramp ? RAMP_CHUNK : chunkSize;
        const chunk = await this.#read(offset, Math.min(size, end() - offset), readSignal);
        if (chunk.length === 0) {
          throw new DataSourceError(
            `${this.#source.name} ended at ${offset} of ${end()} bytes`,
            'SHORT_READ',
          );
        }
        if (reader.gone()) continue; // re-checked at the top of the loop
        offset += chunk.length;
        this.#bytes += chunk.length;
        if (queue) await queue.write(chunk);
        else if (!writable.write(chunk)) await drained(writable, readSignal);
      }
      return finish('complete');
    } catch (err) {
      if (signal?.aborted) return finish('aborted');
      if (reader.gone() && !reader.failure()) return finish('reader-closed');
      if (reader.failure()) return finish(this.#fail(reader.failure()!));
      return finish(this.#fail(err));
    }
  }

  #fail(err: unknown): PumpOutcome {
    this.#lastError = err instanceof Error ? err : new Error(String(err));
    return isAbortError(err) ? 'aborted' : 'failed';
  }

  /** One source read, flagging a stall if it waits longer than `stallAfterMs`. */
  async #read(offset: number, length: number, signal: AbortSignal): Promise<Buffer> {
    const timer = setTimeout(() => this.#setStalled(true), this.#options.stallAfterMs ?? 5000);
    try {
      return await this.#source.read(offset, length, { signal });
    } finally {
      clearTimeout(timer);
      this.#setStalled(false);
    }
  }

  #setStalled(stalled: boolean): void {
    if (stalled === this.#stalled) return;
    this.#stalled = stalled;
    if (stalled) this.#stallSince = Date.now();
    else this.#stalledMs += Date.now() - this.#stallSince;
    this.#options.onStall?.(stalled);
  }
}

/**
 * Writes that wait only once more than `limit` bytes are still in the writable, each write's callback
 * (its bytes handed to the OS) releasing its share. Writes after a failure or close call back too, so
 * this never hangs; the reader watch reports what happened.
 */
class WriteQueue {
  #queued = 0;
  readonly #flushed: Array<{ bytes: number; done: Promise<void> }> = [];
  /** One listener for the whole pump, not one per wait. */
  readonly #aborted: Promise<void>;

  constructor(
    private readonly writable: Sink,
    private readonly limit: number,
    private readonly signal: AbortSignal,
  ) {
    this.#aborted = new Promise((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  async write(chunk: Buffer): Promise<void> {
    const done = new Promise<void>((resolve) => this.writable.write(chunk, () => resolve()));
    this.#flushed.push({ bytes: chunk.length, done });
    this.#queued += chunk.length;
    while (this.#queued > this.limit && !this.signal.aborted) {
      const oldest = this.#flushed.shift()!;
      await Promise.race([oldest.done, this.#aborted]);
      this.#queued -= oldest.bytes;
    }
  }
}

interface ReaderWatch {
  signal: AbortSignal;
  gone(): boolean;
  /** A write error that is not just the reader leaving. */
  failure(): Error | null;
  dispose(): void;
}

/** Tracks whether the writable's reader is still there; its signal aborts a source read when it leaves. */
function watchReader(writable: Sink): ReaderWatch {
  const controller = new AbortController();
  let failure: Error | null = null;
  const state = writable as Partial<Writable>;
  const onClose = () => controller.abort();
  const onError = (err: Error) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (!code || !READER_GONE.has(code)) failure ??= err;
    controller.abort();
  };
  writable.on('close', onClose);
  writable.on('error', onError);
  return {
    signal: controller.signal,
    gone: () => controller.signal.aborted || state.destroyed === true || state.writableEnded === true,
    failure: () => failure,
    dispose: () => {
      writable.removeListener('close', onClose);
      writable.removeListener('error', onError);
    },
  };
}
