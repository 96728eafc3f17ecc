/**
 * The FFmpeg slots HLS runs hold (src/server/limiter.ts; an encode counts against the transcodes too).
 * A run paused ahead of its viewers holds its slot while doing nothing: past a limit, such a run gives
 * its slot up to a new run, which someone is waiting for, instead of that request being refused.
 */
import type { EncoderProcess, SegmentEncoder } from '../stream/hls/segment-encoder.js';
import { acquireAll, LimitReachedError } from './limiter.js';
import type { Limits } from './services.js';

export class HlsSlots {
  readonly #held = new Map<EncoderProcess, { release: () => void; encoded: boolean }>();

  constructor(
    private readonly limits: Limits,
    /** Every rendition's paused runs, the longest idle first. */
    private readonly pausedRuns: () => SegmentEncoder[],
  ) {}

  /** Slots for a run; throws LimitReachedError when no paused run can give one up. */
  acquire(encoded: boolean): () => void {
    const { ffmpegProcesses, transcodes } = this.limits;
    const take = () => (encoded ? acquireAll(ffmpegProcesses, transcodes) : acquireAll(ffmpegProcesses));
    let refusal: unknown;
    try {
      return take();
    } catch (err) {
      if (!(err instanceof LimitReachedError)) throw err;
      refusal = err;
    }
    // Encodes first: they hold both kinds of slot.
    const idle = this.pausedRuns()
      .filter((run) => this.#held.has(run.process))
      .sort(
        (a, b) => Number(this.#held.get(b.process)!.encoded) - Number(this.#held.get(a.process)!.encoded),
      );
    for (const run of idle) {
      this.release(run.process);
      void run.stop();
      try {
        return take();
      } catch (err) {
        if (!(err instanceof LimitReachedError)) throw err;
      }
    }
    throw refusal;
  }

  /** Notes the slots a started run holds. */
  hold(process: EncoderProcess, release: () => void, encoded: boolean): void {
    this.#held.set(process, { release, encoded });
  }

  /** Gives a run's slots back (it ended, or gave them up); idempotent. */
  release(process: EncoderProcess): void {
    this.#held.get(process)?.release();
    this.#held.delete(process);
  }
}
