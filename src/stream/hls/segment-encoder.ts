/**
 * One encoder run of a rendition, from one segment on: it pulls FFmpeg's fragmented MP4, files each
 * fragment under the segment its first sample's time falls in, and stores a segment once the next one
 * begins (or the output ends). It runs ahead of the furthest segment asked of it by `ahead` segments and
 * then simply stops pulling: stdout's pipe fills and FFmpeg waits — backpressure, not a pause signal.
 */
import type { Readable } from 'node:stream';
import { readFmp4 } from './fmp4-reader.js';
import { TIMELINE_BASE } from './segment-args.js';
import type { SegmentStore } from './segment-store.js';
import { type SegmentTimes, segmentAt } from './segment-times.js';

/** The running FFmpeg, as the encoder needs it (FfmpegJob has this shape). */
export interface EncoderProcess {
  readonly output: Readable;
  readonly done: Promise<{ outcome: 'complete' | 'stopped' | 'failed'; error?: Error }>;
  stop(): Promise<void>;
}

export interface SegmentEncoderOptions {
  process: EncoderProcess;
  first: number;
  /** The run stops before this segment (a new run makes the rest). */
  until: number;
  times: SegmentTimes;
  store: SegmentStore;
  /** Segments made past the furthest one asked for before pulling stops. */
  ahead: number;
  /** A segment (or the init segment, -1) was stored. */
  onStored(segment: number): void;
}

/** Frames this close before a boundary count as on it: container times are rounded to the millisecond. */
const TOLERANCE = 0.005;

export class SegmentEncoder {
  readonly first: number;
  /** The first segment this run has not stored yet. */
  next: number;
  /** The furthest segment asked of this run. */
  demand: number;
  /** Segments this run was expected to make and could not (a gap in the source, or its early end). */
  readonly missing = new Set<number>();
  /** Set once the run is over; `error` when FFmpeg or the output failed. */
  ended = false;
  error: Error | null = null;
  readonly finished: Promise<void>;
  /** When the encoder last made progress or was asked for something: idle runs are stopped. */
  lastActive = Date.now();
  #wake: (() => void) | null = null;
  #stopped = false;
  readonly #options: SegmentEncoderOptions;

  constructor(options: SegmentEncoderOptions) {
    this.#options = options;
    this.first = options.first;
    this.next = options.first;
    // Nothing asked yet: a run started for the init segment makes only that until asked for more.
    this.demand = options.first - 1;
    this.finished = this.#run();
  }

  /** Whether `segment` is this run's to make: at or after where it is, within reach. */
  covers(segment: number, reach: number): boolean {
    return !this.ended && segment >= this.next && segment <= this.next + reach;
  }

  want(segment: number): void {
    this.lastActive = Date.now();
    if (segment > this.demand) this.demand = segment;
    this.#wake?.();
  }

  /** Whether it is waiting for a viewer to ask further. */
  get paused(): boolean {
    return this.#wake !== null;
  }

  /** Whether nobody has asked it for a segment yet (it was started for the init segment). */
  get initOnly(): boolean {
    return this.demand < this.first;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#options.process.stop();
    await this.finished;
  }

  async #run(): Promise<void> {
    const { process, times, store, until } = this.#options;
    let current = -1;
    let parts: Buffer[] = [];
    /** Stores the segment being collected; says whether to go on. */
    const close = async (following: number) => {
      const more = await this.#finish(current, parts, following);
      current = -1;
      parts = [];
      return more;
    };
    try {
      for await (const part of readFmp4(process.output)) {
        if (part.kind === 'init') {
          await store.writeInit(part.bytes);
          this.#options.onStored(-1);
          // Started for the init segment alone: nothing more until someone asks for a segment.
          await this.#until(() => this.demand >= this.first);
          if (this.#stopped) break;
          continue;
        }
        const segment = segmentAt(times, part.pts - TIMELINE_BASE + TOLERANCE);
        // Pre-roll before the seek point, or the tail of a segment already stored.
        if (segment < this.next) continue;
        if (current >= 0 && segment !== current && !(await close(segment))) break;
        if (segment >= until) break;
        if (current < 0) {
          this.#skip(this.next, segment);
          current = segment;
        }
        parts.push(part.bytes);
        // The fragment reaches the next cut: the segment is whole now, not when the next fragment comes.
        const end = current + 1 < times.starts.length ? times.starts[current + 1]! : Number.POSITIVE_INFINITY;
        if (part.end - TIMELINE_BASE >= end - TOLERANCE && !(await close(current + 1))) break;
      }
      const { outcome, error } = await process.done;
      if (outcome === 'failed') this.error = error ?? new Error('the encoder failed');
      else if (outcome === 'complete') {
        if (current >= 0) await close(until);
        this.#skip(this.next, until);
      }
    } catch (err) {
      if (!this.#stopped) this.error = err instanceof Error ? err : new Error(String(err));
    } finally {
      this.ended = true;
      this.#wake = null;
      await process.stop();
      this.#options.onStored(Number.NaN); // ended: waiters look again
    }
  }

  /** Stores `segment`; says whether to go on to `following` (no when stopped or already stored). */
  async #finish(segment: number, parts: Buffer[], following: number): Promise<boolean> {
    const { store, until, ahead } = this.#options;
    await store.writeSegment(segment, parts);
    this.next = segment + 1;
    this.lastActive = Date.now();
    this.#options.onStored(segment);
    this.#skip(segment + 1, following);
    // Another run (or an earlier one) has made what comes next: this one has nothing left to add.
    if (following >= until || store.has(following)) return false;
    await this.#until(() => this.next <= this.demand + ahead);
    return !this.#stopped;
  }

  /** Waits (pulling nothing, so FFmpeg blocks on its full pipe) until `ready` holds or the run stops. */
  async #until(ready: () => boolean): Promise<void> {
    while (!this.#stopped && !ready()) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = null;
    }
  }

  /** Segments [from, to) the output jumped over: nothing of the source falls in them. */
  #skip(from: number, to: number): void {
    for (let k = from; k < to; k++) if (!this.#options.store.has(k)) this.missing.add(k);
    this.next = Math.max(this.next, to);
  }
}
