/**
 * The FFmpeg slots HLS runs hold (src/server/limiter.ts; an encode counts against the transcodes too).
 * A run nobody waits on — paused ahead of its viewers, or making segments ahead after a seek took its viewer
 * elsewhere — gives its slot up to a request waiting for one (slot-queue.ts). A request whose run finds no
 * slot waits in the queue, then starts its run with the slot it was given.
 */
import type { EncoderProcess, SegmentEncoder } from '../stream/hls/segment-encoder.js';
import { type Limiter, LimitReachedError } from './limiter.js';
import { type Limits, limitersFor } from './services.js';
import type { Release } from './slot-queue.js';

export class HlsSlots {
  readonly #held = new Map<EncoderProcess, { release: Release; encoded: boolean }>();
  /** A slot a waiting request was given, for the run its next attempt starts (see serve). */
  #lent: Release | null = null;

  constructor(
    private readonly limits: Limits,
    /** Every rendition's runs nobody waits on. */
    private readonly spareRuns: () => SegmentEncoder[],
  ) {
    limits.queue.addReclaimer((full) => this.#reclaim(full));
  }

  /**
   * Starts a run's FFmpeg (`spawn`) with its slots, held until it ends: the slot lent to this request, else
   * free ones, else ones a run nobody waits on gives up. Throws LimitReachedError when there are none.
   */
  start<P extends EncoderProcess>(encoded: boolean, spawn: () => P): P {
    const release = this.#lent ?? this.limits.queue.take(this.#kinds(encoded));
    this.#lent = null;
    let process: P;
    try {
      process = spawn();
    } catch (err) {
      release();
      throw err;
    }
    this.#held.set(process, { release, encoded });
    void process.done.finally(() => this.#release(process));
    return process;
  }

  /**
   * Answers a request (`attempt`: a segment or init of a rendition whose runs are `encoded` or not). When its
   * run finds no slot, the request waits in the queue (up to its patience, or until `signal` aborts) and
   * tries again with the slot it is given; a run started meanwhile may make the slot needless, and it goes
   * on to the next waiter.
   */
  async serve<T>(encoded: boolean, signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
    let given: Release | null = null;
    for (;;) {
      // Deciding whether a run starts is synchronous: the lent slot is used, or not, before anything else runs.
      this.#lent = given;
      let answer: Promise<T>;
      try {
        answer = attempt();
      } finally {
        this.#lent?.();
        this.#lent = null;
      }
      try {
        return await answer;
      } catch (err) {
        if (!(err instanceof LimitReachedError)) throw err;
        given = await this.limits.queue.acquire(this.#kinds(encoded), signal);
      }
    }
  }

  #kinds(encoded: boolean): Limiter[] {
    return limitersFor(this.limits, encoded);
  }

  /**
   * Stops one run nobody waits on that holds a slot of each `full` limiter: paused ones first, then the
   * longest idle.
   */
  #reclaim(full: Limiter[]): boolean {
    const runs = this.spareRuns()
      .filter((run) => {
        const held = this.#held.get(run.process);
        return held && full.every((limiter) => this.#kinds(held.encoded).includes(limiter));
      })
      .sort((a, b) => Number(b.paused) - Number(a.paused) || a.lastActive - b.lastActive);
    const run = runs[0];
    if (!run) return false;
    this.#release(run.process);
    void run.stop();
    return true;
  }

  /** Gives a run's slots back (it ended, or gave them up); idempotent. */
  #release(process: EncoderProcess): void {
    const held = this.#held.get(process);
    this.#held.delete(process);
    held?.release();
  }
}
