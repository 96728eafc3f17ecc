/**
 * The cues of one subtitle track as they arrive, and waits for "every cue starting before t is in": what a
 * WebVTT segment ending at t needs. An extraction reading a file front to back emits cues in time order,
 * so the first cue starting at or after t proves the ones before it are all there — and a segment can be
 * answered while the rest of a torrent is still downloading.
 */
import { abortableWait } from '../abort.js';
import type { Cue } from '../vtt.js';

export class CueTrack {
  readonly #cues: Cue[] = [];
  /** The latest cue start seen (ms): every cue starting before it is in. */
  #reached = Number.NEGATIVE_INFINITY;
  #ended = false;
  #error: unknown = null;
  readonly #waiters = new Set<() => void>();

  /** The cues so far, by start time. */
  get cues(): readonly Cue[] {
    return this.#cues;
  }

  get ended(): boolean {
    return this.#ended;
  }

  add(cue: Cue): void {
    if (this.#ended) return;
    // Kept sorted by start should a demuxer hand one out of order; in order, this is a push.
    let at = this.#cues.length;
    while (at > 0 && this.#cues[at - 1]!.start > cue.start) at--;
    this.#cues.splice(at, 0, cue);
    if (cue.start > this.#reached) {
      this.#reached = cue.start;
      this.#wake();
    }
  }

  /** Every cue is in. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#wake();
  }

  /** No more cues will come: waits the cues so far do not cover reject with `error`. */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#error = error ?? new Error('the subtitle track failed');
    this.#ended = true;
    this.#wake();
  }

  /**
   * The cues, once every cue starting before `t` ms is in (a later one arrived, or the track ended).
   * No timeout: it waits as long as cues may still come. Aborting `signal` ends only this wait.
   */
  through(t: number, signal?: AbortSignal): Promise<readonly Cue[]> {
    return abortableWait<readonly Cue[]>(signal, (resolve, reject) => {
      const check = () => {
        if (this.#reached >= t || (this.#ended && this.#error === null)) resolve(this.#cues);
        else if (this.#ended) reject(this.#error);
      };
      this.#waiters.add(check);
      check();
      return () => this.#waiters.delete(check);
    });
  }

  #wake(): void {
    for (const check of [...this.#waiters]) check();
  }
}
