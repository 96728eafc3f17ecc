/**
 * Streaming priority for one torrent. The whole torrent stays selected at webtorrent's priority 0 (it keeps
 * downloading in the background); above it sit, per reader, the pieces its pending read needs (priority 3,
 * critical) and a readahead window after them (priority 2), plus the last pieces of every streamed file
 * (priority 2: container indexes live there). Readers are keyed by their AbortSignal.
 *
 * Windows are webtorrent "stream selections": kept apart from whole-file selections and removed by an exact
 * (from, to), so we can replace them wholesale whenever a reader moves.
 */
import type { Torrent } from 'webtorrent';

export const READ_PRIORITY = 3;
export const AHEAD_PRIORITY = 2;
/** Readahead covers this many seconds at the observed download speed, clamped to [MIN, MAX]. */
export const AHEAD_SECONDS = 20;
export const MIN_AHEAD_BYTES = 2 * 1024 * 1024;
export const MAX_AHEAD_BYTES = 32 * 1024 * 1024;
/** How much of a file's end is fetched early. */
export const TAIL_BYTES = 2 * 1024 * 1024;

type Span = [number, number];

export interface ReaderWindow {
  /** Pieces under the read in progress, if any. */
  read?: Span;
  ahead: Span;
}

interface Selection {
  from: number;
  to: number;
  priority: number;
}

export class StreamPriority {
  private readonly readers = new Map<object, ReaderWindow>();
  private readonly tails = new Map<number, Span>();
  private applied: Selection[] = [];

  constructor(private readonly torrent: Torrent) {}

  /** Readahead size now: grows with the download speed so a fast swarm keeps the player well fed. */
  aheadBytes(): number {
    const wanted = this.torrent.downloadSpeed * AHEAD_SECONDS;
    return Math.min(MAX_AHEAD_BYTES, Math.max(MIN_AHEAD_BYTES, wanted));
  }

  /** Some reader is streaming (eviction must leave this torrent alone). */
  get active(): boolean {
    return this.readers.size > 0;
  }

  setReader(key: object, window: ReaderWindow): void {
    this.readers.set(key, window);
    this.apply();
  }

  dropReader(key: object): void {
    if (this.readers.delete(key)) this.apply();
  }

  /** Fetches the last pieces of a file early, once, until they are verified. */
  addTail(fileIndex: number, span: Span): void {
    if (this.tails.has(fileIndex)) return;
    this.tails.set(fileIndex, span);
    this.apply();
  }

  clear(): void {
    this.readers.clear();
    this.tails.clear();
    this.apply();
  }

  private apply(): void {
    const torrent = this.torrent;
    if (torrent.destroyed) return;
    const wanted: Selection[] = [];
    for (const window of this.readers.values()) {
      if (window.read) wanted.push({ from: window.read[0], to: window.read[1], priority: READ_PRIORITY });
    }
    for (const window of this.readers.values()) {
      wanted.push({ from: window.ahead[0], to: window.ahead[1], priority: AHEAD_PRIORITY });
    }
    for (const [fileIndex, [from, to]] of this.tails) {
      if (this.complete(from, to)) this.tails.delete(fileIndex);
      else wanted.push({ from, to, priority: AHEAD_PRIORITY });
    }
    if (sameSelections(wanted, this.applied)) return;
    for (const old of this.applied) torrent._deselect(old.from, old.to, true);
    for (const next of wanted) {
      torrent._select(next.from, next.to, next.priority, null, true);
      // Critical lets a fast peer take over blocks a slow one holds (webtorrent's hotswap).
      if (next.priority === READ_PRIORITY) torrent.critical(next.from, next.to);
    }
    this.applied = wanted;
  }

  private complete(from: number, to: number): boolean {
    const bitfield = this.torrent.bitfield;
    if (!bitfield) return false;
    for (let piece = from; piece <= to; piece++) if (!bitfield.get(piece)) return false;
    return true;
  }
}

function sameSelections(a: Selection[], b: Selection[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((s, i) => s.from === b[i]!.from && s.to === b[i]!.to && s.priority === b[i]!.priority);
}
