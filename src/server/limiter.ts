/** A counting limit on concurrent FFmpeg processes: past it the server answers 503 instead of queueing. */
export class Limiter {
  private active = 0;

  constructor(readonly max: number) {}

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
