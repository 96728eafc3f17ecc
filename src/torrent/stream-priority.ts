/**
 * Streaming priority for one torrent. The whole torrent stays selected at webtorrent's priority 0 (it keeps
 * downloading in the background); above it sits one selection per reader: the pieces its pending read needs
 * followed by a readahead window, plus the last pieces of every streamed file (container indexes live
 * there). While any read waits, only the waiting readers' selections are raised. Readers are keyed by their
 * AbortSignal.
 *
 * One contiguous selection per reader matters: webtorrent rotates between non-zero-priority selections each
 * time a peer's request pipeline fills, so a separate readahead would interleave with the pieces a read waits
 * for. These are webtorrent "stream selections": kept apart from whole-file selections and removed by an exact
 * (from, to), so we replace them wholesale whenever a reader moves.
 */
import type { Torrent } from 'webtorrent';
import { BlockSpread } from './block-spread.js';
import { Endgame } from './endgame.js';
import { PeerNudge } from './peer-nudge.js';
import { RequestOrder } from './request-order.js';
import { deselectStream, selectStream } from './webtorrent-internals.js';

export const READ_PRIORITY = 3;
export const AHEAD_PRIORITY = 2;
/** A background read's pieces: taken in turn with the others, never chased. */
export const BACKGROUND_PRIORITY = 1;
/** Readahead covers this many seconds of playback once the file's bitrate is known, clamped to [MIN, MAX]. */
export const AHEAD_MEDIA_SECONDS = 60;
/** Before that, this many seconds at the observed download speed, clamped the same way. */
export const AHEAD_SECONDS = 20;
export const MIN_AHEAD_BYTES = 2 * 1024 * 1024;
export const MAX_AHEAD_BYTES = 256 * 1024 * 1024;
/** The speed-sized window stays smaller: it says nothing of what the player needs. */
export const MAX_SPEED_AHEAD_BYTES = 32 * 1024 * 1024;
/** From a read's first byte, what is spread over the peers (block-spread.ts): a start buffer's worth. */
export const SPREAD_BYTES = 768 * 1024;
/** How much of a file's end is fetched early. */
export const TAIL_BYTES = 2 * 1024 * 1024;

type Span = [number, number];

export interface ReaderWindow {
  /** First and last piece: the pending read's pieces, then the readahead. */
  span: Span;
  /** A read is waiting on the start of the span: its pieces are chased (endgame.ts). */
  reading?: Span;
  /**
   * Pieces wanted for later, not waited on: selected even while reads wait (webtorrent takes nonzero
   * selections in turn, so a small one costs a waiting read little), but never chased.
   */
  background?: boolean;
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
  private readonly endgame: Endgame;
  private readonly spread: BlockSpread;
  private readonly nudge: PeerNudge;

  constructor(private readonly torrent: Torrent) {
    // One book of cancels: a block either cancelled that comes anyway answers its new request.
    const order = new RequestOrder();
    this.spread = new BlockSpread(torrent, order);
    this.endgame = new Endgame(torrent, order);
    this.nudge = new PeerNudge(torrent);
  }

  /**
   * Readahead size for a file of `mediaBytesPerSecond` (unknown: undefined). A window in seconds of media
   * holds the same playback time at any bitrate. Without a bitrate it follows the download speed, which
   * tells nothing of what the player needs but keeps a fast swarm ahead of it. Past the window the rest of
   * the torrent still downloads, at the whole torrent's lower priority.
   */
  aheadBytes(mediaBytesPerSecond?: number): number {
    if (
      mediaBytesPerSecond !== undefined &&
      mediaBytesPerSecond > 0 &&
      Number.isFinite(mediaBytesPerSecond)
    ) {
      return clampAhead(mediaBytesPerSecond * AHEAD_MEDIA_SECONDS, MAX_AHEAD_BYTES);
    }
    return clampAhead(this.torrent.downloadSpeed * AHEAD_SECONDS, MAX_SPEED_AHEAD_BYTES);
  }

  /** Some reader is streaming (eviction must leave this torrent alone). */
  get active(): boolean {
    return this.readers.size > 0;
  }

  /** The pieces reads are waiting on now, as [first, last] spans. */
  waitedSpans(): Span[] {
    return [...this.readers.values()].flatMap((window) => (window.reading ? [window.reading] : []));
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
    if (this.torrent.destroyed) return;
    // Before the selections: webtorrent asks for blocks as they change.
    this.spread.spread(this.spreadPieces());
    this.select();
    // After the selections: webtorrent has asked for what it will, the endgame doubles what reads wait on.
    this.endgame.chase(this.waitedPieces());
    this.nudge.waiting = this.spread.active;
  }

  private *waitedPieces(): Iterable<number> {
    for (const [first, last] of this.waitedSpans())
      for (let piece = first; piece <= last; piece++) yield piece;
  }

  /** What each waiting read needs and the pieces after it up to SPREAD_BYTES, within its window. */
  private *spreadPieces(): Iterable<number> {
    const pieces = Math.max(1, Math.ceil(SPREAD_BYTES / this.torrent.pieceLength));
    for (const { span, reading } of this.readers.values()) {
      if (!reading) continue;
      const last = Math.max(reading[1], Math.min(span[1], reading[0] + pieces - 1));
      for (let piece = reading[0]; piece <= last; piece++) yield piece;
    }
  }

  private select(): void {
    const torrent = this.torrent;
    const wanted: Selection[] = [];
    // While a read waits, only waiting readers' spans are raised: webtorrent would otherwise rotate the
    // tail and idle readahead windows in between the pieces the read is blocked on.
    const waiting = [...this.readers.values()].some((window) => window.reading);
    for (const { span, reading, background } of this.readers.values()) {
      if (background) wanted.push({ from: span[0], to: span[1], priority: BACKGROUND_PRIORITY });
      else if (reading || !waiting) {
        wanted.push({ from: span[0], to: span[1], priority: reading ? READ_PRIORITY : AHEAD_PRIORITY });
      }
    }
    for (const [fileIndex, [from, to]] of this.tails) {
      if (this.complete(from, to)) this.tails.delete(fileIndex);
      else if (!waiting) wanted.push({ from, to, priority: AHEAD_PRIORITY });
    }
    if (sameSelections(wanted, this.applied)) return;
    for (const old of this.applied) deselectStream(torrent, old.from, old.to);
    for (const next of wanted) selectStream(torrent, next.from, next.to, next.priority);
    this.applied = wanted;
  }

  private complete(from: number, to: number): boolean {
    const bitfield = this.torrent.bitfield;
    if (!bitfield) return false;
    for (let piece = from; piece <= to; piece++) if (!bitfield.get(piece)) return false;
    return true;
  }
}

function clampAhead(bytes: number, max: number): number {
  return Math.min(max, Math.max(MIN_AHEAD_BYTES, bytes));
}

function sameSelections(a: Selection[], b: Selection[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((s, i) => s.from === b[i]!.from && s.to === b[i]!.to && s.priority === b[i]!.priority);
}
