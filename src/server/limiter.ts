/** A counting limit on concurrent FFmpeg processes: past it the server answers 503 instead of queueing. */
export class Limiter {
  private active = 0;

  constructor(
    readonly max: number,
    /** What one slot is, in the error users see ("streams", "transcodes"). */
    readonly what = 'streams',
  ) {}

  get inUse(): number {
    return this.active;
  }

  /** Takes a slot; returns its release function (idempotent), or null when the limit is reached. */
  tryAcquire(): (() => void) | null {
    if (this.active >= this.max) return null;
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
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

/** A slot of every limiter, or none: throws LimitReachedError for the first one that is full. */
export function acquireAll(...limiters: Limiter[]): () => void {
  const releases: Array<() => void> = [];
  for (const limiter of limiters) {
    const release = limiter.tryAcquire();
    if (!release) {
      for (const taken of releases) taken();
      throw new LimitReachedError(limiter);
    }
    releases.push(release);
  }
  return () => {
    for (const release of releases) release();
  };
}
