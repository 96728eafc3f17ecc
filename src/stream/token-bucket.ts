/** The pump's optional bandwidth cap: a token bucket that sleeps only when the cap is reached. */
import { sleep } from './abort.js';

export class TokenBucket {
  #tokens: number;
  #last = Date.now();
  readonly #capacity: number;

  constructor(
    readonly bytesPerSecond: number,
    burst: number,
  ) {
    // A burst of at least one chunk, so a chunk larger than a second's worth still goes through.
    this.#capacity = Math.max(burst, bytesPerSecond);
    this.#tokens = this.#capacity;
  }

  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    this.#refill();
    if (this.#tokens < bytes) {
      await sleep(((bytes - this.#tokens) / this.bytesPerSecond) * 1000, signal);
      this.#refill();
    }
    this.#tokens -= bytes;
  }

  #refill(): void {
    const now = Date.now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#last) / 1000) * this.bytesPerSecond);
    this.#last = now;
  }
}
