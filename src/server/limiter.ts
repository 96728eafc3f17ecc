/**
 * A counting limit on concurrent FFmpeg processes. Past it a request waits briefly for a slot
 * (slot-queue.ts), then the server answers 503.
 */
export class Limiter {
  private active = 0;
  readonly #onFree: Array<() => void> = [];

  constructor(
    readonly max: number,
    /** What one slot is, in the error users see ("streams", "transcodes"). */
    readonly what = 'streams',
  ) {}

  get inUse(): number {
    return this.active;
  }

  get full(): boolean {
    return this.active >= this.max;
  }

  /** Calls `listener` each time a slot is given back. */
  onFree(listener: () => void): void {
    this.#onFree.push(listener);
  }

  /** Takes a slot; returns its release function (idempotent), or null when the limit is reached. */
  tryAcquire(): (() => void) | null {
    if (this.full) return null;
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      freed(this.#onFree);
    };
  }
}

/** Past a limit: 503, and a hint to come back soon. */
export class LimitReachedError extends Error {
  readonly statusCode = 503;
  readonly headers = { 'Retry-After': '5' };

  constructor(limiter: Limiter) {
    super(`Too many streams: at most ${limiter.max} ${limiter.what} run at once; try again shortly`);
  }
}

/**
 * A slot of every limiter, or none: throws LimitReachedError for the first one that is full. Its release
 * gives them all back before anyone listening hears of it: a waiter for both kinds of slot must not see one
 * back and the other still held (and have a run stopped for a slot about to come back anyway).
 */
export function acquireAll(...limiters: Limiter[]): () => void {
  const full = limiters.find((limiter) => limiter.full);
  if (full) throw new LimitReachedError(full);
  const releases = limiters.map((limiter) => limiter.tryAcquire()!);
  return () => {
    batching++;
    try {
      for (const release of releases) release();
    } finally {
      batching--;
    }
    if (batching > 0) return;
    const listeners = [...heard];
    heard.clear();
    for (const listener of listeners) listener();
  };
}

let batching = 0;
/** Listeners of slots given back during a batch, each called once after it. */
const heard = new Set<() => void>();

function freed(listeners: Array<() => void>): void {
  if (batching > 0) for (const listener of listeners) heard.add(listener);
  else for (const listener of listeners) listener();
}
