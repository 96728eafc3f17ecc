/**
 * Lets reads wait for pieces: woken by the torrent's `verified` event, never by a timer, or sooner, once a
 * downloaded piece passed its check and its bytes are readable from memory while they are written (the
 * write of a piece is a trip through the threadpool, queued behind the rest of the download's: tens of
 * milliseconds of a start under load). One per torrent.
 */
import type { Torrent } from 'webtorrent';
import { abortableWait } from '../stream/abort.js';
import { onPieceReadable } from './webtorrent-internals-verify.js';

interface Wait {
  missing: Set<number>;
  resolve(): void;
  reject(err: unknown): void;
}

export class PieceWaiter {
  private readonly byPiece = new Map<number, Set<Wait>>();
  private readonly waits = new Set<Wait>();
  /** Pieces readable while their write is under way: until 'verified' says they are written. */
  private readonly readable = new Set<number>();
  private readonly onVerified = (index: number) => {
    this.readable.delete(index);
    this.verified(index);
  };
  private readonly stopReadable: () => void;
  private closedWith: Error | undefined;

  constructor(private readonly torrent: Torrent) {
    torrent.on('verified', this.onVerified);
    this.stopReadable = onPieceReadable(torrent, (index) => {
      if (this.closedWith || this.torrent.bitfield?.get(index)) return;
      this.readable.add(index);
      this.verified(index);
    });
  }

  /** Reads currently waiting for data. */
  get pending(): number {
    return this.waits.size;
  }

  /** Whether a read of `piece` would be answered now: verified, or readable while it is written. */
  has(piece: number): boolean {
    return !!this.torrent.bitfield?.get(piece) || this.readable.has(piece);
  }

  /** Resolves once every piece in [from, to] is readable; rejects when `signal` aborts. */
  waitFor(from: number, to: number, signal?: AbortSignal): Promise<void> {
    const missing = new Set<number>();
    for (let piece = from; piece <= to; piece++) if (!this.has(piece)) missing.add(piece);
    if (missing.size === 0) return Promise.resolve();
    // A closed waiter hears no more pieces: a wait would never end.
    if (this.closedWith) return Promise.reject(this.closedWith);
    return abortableWait<void>(signal, (resolve, reject) => {
      const wait: Wait = { missing, resolve, reject };
      this.waits.add(wait);
      for (const piece of missing) {
        const set = this.byPiece.get(piece) ?? new Set<Wait>();
        set.add(wait);
        this.byPiece.set(piece, set);
      }
      return () => this.forget(wait);
    });
  }

  /** Fails every waiting read (the torrent was removed or closed) and stops listening. */
  close(err: Error): void {
    this.closedWith ??= err;
    this.torrent.removeListener('verified', this.onVerified);
    this.stopReadable();
    this.readable.clear();
    for (const wait of [...this.waits]) {
      this.forget(wait);
      wait.reject(err);
    }
  }

  private verified(index: number): void {
    const set = this.byPiece.get(index);
    if (!set) return;
    this.byPiece.delete(index);
    for (const wait of set) {
      wait.missing.delete(index);
      if (wait.missing.size > 0) continue;
      this.waits.delete(wait);
      wait.resolve();
    }
  }

  private forget(wait: Wait): void {
    this.waits.delete(wait);
    for (const piece of wait.missing) {
      const set = this.byPiece.get(piece);
      set?.delete(wait);
      if (set?.size === 0) this.byPiece.delete(piece);
    }
  }
}
