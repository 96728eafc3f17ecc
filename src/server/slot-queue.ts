/**
 * Requests waiting for FFmpeg slots (limiter.ts). A request past a limit waits a short, bounded time before
 * it is refused with a 503: a seek's new FFmpeg often comes while the previous one is finishing its last
 * segment, or while the player's previous stream is closing. Waiters are served in the order they came, each
 * the moment what it needs is free; one that cannot use what came back (it needs a transcode slot too) does
 * not hold back one that can. Holders of slots nobody needs now (reclaimers: an HLS run nobody waits on)
 * give them up to whoever waits, in that order too.
 *
 * The wait is bounded and not renewed while the runs holding the slots make progress: nothing arrives for a
 * waiter, so "no timeout while data still arrives" does not apply to it, and a slot held by a live stream
 * may not come back for hours. Past it the client is told when to come back (Retry-After).
 */
import { abortableWait, throwIfAborted } from '../stream/abort.js';
import { acquireAll, type Limiter, LimitReachedError } from './limiter.js';

export type Release = () => void;
/** Gives up one slot of every limiter in `full` (stopping what held it); says whether it did. */
export type Reclaimer = (full: Limiter[]) => boolean;

/** How long a request waits for a slot by default. */
export const SLOT_WAIT_MS = 5000;

interface Waiter {
  limiters: Limiter[];
  grant(release: Release): void;
}

export class SlotQueue {
  readonly #waiters: Waiter[] = [];
  readonly #reclaimers: Reclaimer[] = [];
  #serving = false;
  #again = false;

  constructor(
    limiters: Limiter[],
    readonly patienceMs = SLOT_WAIT_MS,
  ) {
    for (const limiter of limiters) limiter.onFree(() => this.serve());
  }

  /** Requests waiting now. */
  get waiting(): number {
    return this.#waiters.length;
  }

  addReclaimer(reclaimer: Reclaimer): void {
    this.#reclaimers.push(reclaimer);
  }

  /** A slot of each limiter now (reclaimed if need be, after those waiting are served), or LimitReachedError. */
  take(limiters: Limiter[]): Release {
    this.serve();
    const release = this.#tryTake(limiters);
    if (!release) throw limitError(limiters);
    return release;
  }

  /**
   * A slot of each limiter, waiting up to `patienceMs` behind those already waiting: LimitReachedError past
   * it, an AbortError (and its place given up) when `signal` aborts.
   */
  async acquire(limiters: Limiter[], signal?: AbortSignal): Promise<Release> {
    throwIfAborted(signal);
    this.serve();
    const now = this.#tryTake(limiters);
    if (now) return now;
    return abortableWait<Release>(signal, (resolve, reject) => {
      const waiter: Waiter = { limiters, grant: resolve };
      this.#waiters.push(waiter);
      const timer = setTimeout(() => reject(limitError(limiters)), this.patienceMs);
      // However the wait ends (served, timed out, aborted), the place goes with it.
      return () => {
        clearTimeout(timer);
        this.#leave(waiter);
      };
    });
  }

  /** Serves those waiting, in order, from free slots or slots a holder gives up. Call when some may be free. */
  serve(): void {
    if (this.#serving) {
      this.#again = true;
      return;
    }
    this.#serving = true;
    try {
      do {
        this.#again = false;
        for (const waiter of [...this.#waiters]) {
          if (!this.#waiters.includes(waiter)) continue;
          const release = this.#tryTake(waiter.limiters);
          if (!release) continue;
          this.#leave(waiter);
          waiter.grant(release);
        }
      } while (this.#again && this.#waiters.length > 0);
    } finally {
      this.#serving = false;
    }
  }

  #tryTake(limiters: Limiter[]): Release | null {
    for (;;) {
      const full = limiters.filter((limiter) => limiter.full);
      if (full.length === 0) return acquireAll(...limiters);
      // A slot given up goes through serve() first: to this caller only if nobody waiting can use it.
      if (!this.#reclaimers.some((reclaim) => reclaim(full))) return null;
    }
  }

  #leave(waiter: Waiter): void {
    const at = this.#waiters.indexOf(waiter);
    if (at >= 0) this.#waiters.splice(at, 1);
  }
}

function limitError(limiters: Limiter[]): LimitReachedError {
  return new LimitReachedError(limiters.find((limiter) => limiter.full) ?? limiters[0]!);
}
