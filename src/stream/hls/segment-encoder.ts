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
/** A frame's "middle" is taken at most this far in (a still image can last seconds). */
const MAX_HALF = 0.05;

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

  /** The FFmpeg run it reads. */
  get process(): EncoderProcess {
    return this.#options.process;
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
    const { process, times, store, until } = this.#options;
    let current = -1;
    let parts: Buffer[] = [];
    // Stopped reading before the output's end: what this run did not make is not known to be missing.
    let left = false;
    /** Stores the segment being collected; says whether to go on. */
    const close = async (following: number) => {
      const more = await this.#finish(current, parts, following);
      current = -1;
      parts = [];
      if (!more) left = true;
      return more;
    };
    try {
      for await (const part of readFmp4(process.output)) {
        if (part.kind === 'init') {
          await store.writeInit(part.bytes);
          this.#options.onStored(-1);
          // Started for the init segment alone: nothing more until a segment is asked of it.
          await this.#until(() => this.asked);
          if (this.#stopped) {
            left = true;
            break;
          }
          continue;
        }
        // A frame belongs to the segment its middle falls in: however differently two runs' encoders
        // frame the audio, a cut then shows less than half a frame of hole or overlap.
        const half = Math.min(MAX_HALF, Math.max(TOLERANCE, part.frame / 2));
        const segment = segmentAt(times, part.pts - TIMELINE_BASE + half);
        // Pre-roll before the seek point, or the tail of a segment already stored.
        if (segment < this.next) continue;
        if (current >= 0 && segment !== current && !(await close(segment))) break;
        if (segment >= until) {
          left = true;
          break;
        }
        if (current < 0) {
          this.#skip(this.next, segment);
          current = segment;
        }
        parts.push(part.bytes);
        // The next fragment surely falls past the cut (its time, rounded in the container, may come a little
        // before this one's end): the segment is whole now, not when that fragment comes.
        const end = current + 1 < times.starts.length ? times.starts[current + 1]! : Number.POSITIVE_INFINITY;
        if (part.end - TIMELINE_BASE - TOLERANCE + half >= end && !(await close(current + 1))) break;
      }
      const { outcome, error } = await process.done;
      if (outcome === 'failed') this.error = error ?? new Error('the encoder failed');
      else if (outcome === 'complete' && !left) {
        // The output ended: its last segment is whole, and the source has nothing past it — nor anything
        // at all from `first` on when no fragment came (a seek into a damaged part), which would otherwise
        // start the same run again and again.
        if (current >= 0) await this.#finish(current, parts, until);
        this.#skip(this.next, until);
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
    await this.#until(() => this.next <= this.demand + this.#options.ahead);
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
