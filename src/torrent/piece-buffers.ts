/**
 * Buffers that downloaded pieces are assembled in, each reused once its piece is written. A block kept as it
 * came is a view of the socket read that brought it (64 KiB), which then lives until its piece is written:
 * long enough for V8 to move it to the old generation, where only a full collection frees it, and V8 starts
 * one for each ~64 MB of such memory (its external-memory limit) — ~16 per GiB downloaded, each marking the
 * whole heap. Copied into a piece's buffer as it arrives (a memcpy, into memory used again and again), the
 * reads die young, and the piece is written from one buffer.
 */
export class PieceBuffers {
  readonly #spare: Buffer[] = [];
  readonly #maxSpare: number;

  /** Buffers of `length` bytes; at most `spareBytes` of them are kept between pieces (at least one). */
  constructor(
    readonly length: number,
    spareBytes: number,
  ) {
    this.#maxSpare = Math.max(1, Math.floor(spareBytes / length));
  }

  /** A buffer of `length` bytes, not zeroed: its bytes are those of an earlier piece until written. */
  take(): Buffer {
    return this.#spare.pop() ?? Buffer.allocUnsafeSlow(this.length);
  }

  /** Gives `buffer` back for another piece: nothing may hold it, or a view of it, any more. */
  give(buffer: Buffer): void {
    if (buffer.length === this.length && this.#spare.length < this.#maxSpare) this.#spare.push(buffer);
  }

  /** Drops the spare buffers (the download is over). */
  clear(): void {
    this.#spare.length = 0;
  }
}
