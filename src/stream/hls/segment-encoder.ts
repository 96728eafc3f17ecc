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
  readonly done: Promise<{ outcome: 'complete' | 'stopped' | 'failed'; error?: Error; stderr?: string[] }>;
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
  /** False for a run started for the init segment alone: until a segment is asked of it, see `asked`. */
  asked?: boolean;
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
  /**
   * Whether a segment was asked of this run. One started for the init segment alone gives way to a run
   * started for a segment elsewhere: a player seeking far on start asks the init first, and on a torrent,
   * reading on from 0 would download the film's start while the segment asked waits.
   */
  asked: boolean;
  /** When the encoder last made progress or was asked for something: idle runs are stopped. */
  lastActive = Date.now();
  #wake: (() => void) | null = null;
  #stopped = false;
  readonly #options: SegmentEncoderOptions;

  constructor(options: SegmentEncoderOptions) {
    this.#options = options;
    this.first = options.first;
    this.next = options.first;
    this.asked = options.asked !== false;
    this.demand = options.first;
    this.finished = this.#run();
  }

  /** Whether `segment` is this run's to make: at or after where it is, within reach. */
  covers(segment: number, reach: number): boolean {
    return !this.ended && segment >= this.next && segment <= this.next + reach;
  }

  want(segment: number): void {
    this.asked = true;
    this.lastActive = Date.now();
    if (segment > this.demand) this.demand = segment;
    this.#wake?.();
  }

  /** Whether it is waiting for a viewer to ask further. */
  get paused(): boolean {
    return this.#wake !== null;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#options.process.stop();
    await this.finished;
  }

  async #run(): Promise<void> {
    const { process, times, store } = this.#options;
    const { until } = this.#options;
    let current = -1;
    let parts: Buffer[] = [];
    // Stopped reading before the output's end: what this run did not make is not known to be missing.
    let left = false;
    try {
      for await (const part of readFmp4(process.output)) {
        if (part.kind === 'init') {
          await store.writeInit(part.bytes);
          this.#options.onStored(-1);
          continue;
        }
        const segment = segmentAt(times, part.pts - TIMELINE_BASE + TOLERANCE);
        if (segment < this.first || segment < current) continue; // pre-roll before the seek point
        if (segment >= until) {
          if (current >= 0) await this.#finish(current, parts, until);
          left = true;
          break;
        }
        if (segment !== current) {
          if (current >= 0 && !(await this.#finish(current, parts, segment))) {
            left = true;
            break;
          }
          if (current < 0) this.#skip(this.first, segment);
          current = segment;
          parts = [];
        }
        parts.push(part.bytes);
      }
      const { outcome, error } = await process.done;
      if (outcome === 'failed') this.error = error ?? new Error('the encoder failed');
      else if (outcome === 'complete' && !left) {
        // The output ended: its last segment is whole, and the source has nothing past it — nor anything
        // at all from `first` on when no fragment came (a seek into a damaged part), which would otherwise
        // start the same run again and again.
        if (current >= 0) await this.#finish(current, parts, until);
        this.#skip(current >= 0 ? current + 1 : this.first, until);
      }
    } catch (err) {
      if (!this.#stopped) this.error = await this.#outputError(err);
    } finally {
      this.ended = true;
      this.#wake = null;
      await process.stop();
      this.#options.onStored(Number.NaN); // ended: waiters look again
    }
  }

  /**
   * The output could not be read (an unexpected box): usually FFmpeg failing as it wrote, so its own error,
   * or at least its last stderr lines, say more than the reader's.
   */
  async #outputError(err: unknown): Promise<Error> {
    const { process } = this.#options;
    await process.stop();
    const { outcome, error, stderr } = await process.done;
    if (outcome === 'failed' && error) return error;
    const message = err instanceof Error ? err.message : String(err);
    return Object.assign(new Error(message, { cause: err }), { stderr: stderr ?? [] });
  }

  /** Stores `segment`; says whether to go on to `following` (no when stopped or already stored). */
  async #finish(segment: number, parts: Buffer[], following: number): Promise<boolean> {
    const { store } = this.#options;
    await store.writeSegment(segment, parts);
    this.next = segment + 1;
    this.lastActive = Date.now();
    this.#options.onStored(segment);
    this.#skip(segment + 1, following);
    // Another run (or an earlier one) has made what comes next: this one has nothing left to add.
    if (following >= this.#options.until || store.has(following)) return false;
    while (!this.#stopped && this.next > this.demand + this.#options.ahead) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = null;
    }
    return !this.#stopped;
  }

  /** Segments [from, to) the output jumped over: nothing of the source falls in them. */
  #skip(from: number, to: number): void {
    for (let k = from; k < to; k++) if (!this.#options.store.has(k)) this.missing.add(k);
    this.next = Math.max(this.next, to);
  }
}
