/**
 * A mock DataSource: bytes exist up front but become readable only when the test releases them.
 * Reads wait on promises the test resolves (release / failAt), never on polling, so tests stay event-driven.
 */
import { abortError, type DataSource, type ReadOptions } from '../../src/stream/data-source.js';

interface Waiter {
  offset: number;
  end: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface ControllableOptions {
  name?: string;
  /** Everything readable from the start (default false: nothing is). */
  available?: boolean;
  /** Extra delay before each read resolves, once its bytes are there. */
  readDelayMs?: number;
}

export class ControllableSource implements DataSource {
  readonly size: number;
  readonly name: string;
  /** Number of read calls, and bytes handed out so far. */
  reads = 0;
  bytesRead = 0;
  /** Highest offset handed out (end of the furthest read). */
  highestRead = 0;
  readonly #data: Buffer;
  /** Released ranges, kept merged and sorted. */
  #ranges: Array<[number, number]> = [];
  #failures: Array<{ offset: number; error: Error }> = [];
  #waiters = new Set<Waiter>();
  #onWait: Array<(w: { offset: number; end: number }) => void> = [];
  readonly #delay: number;

  constructor(data: Buffer, options: ControllableOptions = {}) {
    this.#data = data;
    this.size = data.length;
    this.name = options.name ?? 'controllable.bin';
    this.#delay = options.readDelayMs ?? 0;
    if (options.available) this.#ranges = [[0, data.length]];
  }

  /** Makes bytes [start, end) readable and wakes the reads they complete. */
  release(start: number, end: number = this.size): void {
    this.#ranges.push([Math.max(0, start), Math.min(end, this.size)]);
    this.#ranges.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const r of this.#ranges) {
      const last = merged.at(-1);
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.#ranges = merged;
    for (const w of this.#waiters) if (this.#has(w.offset, w.end)) w.resolve();
  }

  /** Bytes released so far, counted from 0 without holes. */
  get releasedPrefix(): number {
    const first = this.#ranges[0];
    return first && first[0] === 0 ? first[1] : 0;
  }

  /** Any read touching `offset` rejects with `error` (pending reads too). */
  failAt(offset: number, error: Error): void {
    this.#failures.push({ offset, error });
    for (const w of this.#waiters) if (offset >= w.offset && offset < w.end) w.reject(error);
  }

  /** Reads currently waiting for bytes. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** The ranges of the reads waiting for bytes, in the order they began to wait. */
  get waitingRanges(): Array<{ offset: number; end: number }> {
    return [...this.#waiters].map(({ offset, end }) => ({ offset, end }));
  }

  /** Resolves when a read is (or next becomes) blocked waiting for bytes. */
  whenWaiting(): Promise<{ offset: number; end: number }> {
    const first = this.#waiters.values().next().value as Waiter | undefined;
    if (first) return Promise.resolve({ offset: first.offset, end: first.end });
    return new Promise((resolve) => this.#onWait.push(resolve));
  }

  /** Holds nothing: the test owns the bytes. */
  close(): void {}

  async read(offset: number, length: number, options: ReadOptions = {}): Promise<Buffer> {
    this.reads++;
    const end = Math.min(offset + length, this.size);
    if (length <= 0 || offset >= this.size) return Buffer.alloc(0);
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    const failure = this.#failures.find((f) => f.offset >= offset && f.offset < end);
    if (failure) throw failure.error;
    if (!this.#has(offset, end)) await this.#wait(offset, end, signal);
    if (this.#delay > 0) await delay(this.#delay, signal);
    this.bytesRead += end - offset;
    this.highestRead = Math.max(this.highestRead, end);
    return Buffer.from(this.#data.subarray(offset, end));
  }

  #has(start: number, end: number): boolean {
    return this.#ranges.some(([s, e]) => s <= start && e >= end);
  }

  #wait(offset: number, end: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        offset,
        end,
        resolve: () => settle(resolve),
        reject: (err) => settle(() => reject(err)),
      };
      const onAbort = () => waiter.reject(abortError(signal));
      const settle = (fn: () => void) => {
        this.#waiters.delete(waiter);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      for (const notify of this.#onWait.splice(0)) notify({ offset, end });
    });
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(abortError(signal));
      },
      { once: true },
    );
  });
}

/** Deterministic bytes of a given size (each position's value depends on it), for order checks. */
export function patternBytes(size: number): Buffer {
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buf[i] = (i * 31 + (i >>> 8) * 7) & 0xff;
  return buf;
}
