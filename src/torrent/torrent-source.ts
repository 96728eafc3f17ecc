/**
 * One file of a torrent as a DataSource. A read moves its reader's window (so the pieces under it and a
 * readahead after it are fetched first), waits for those pieces to be verified, then reads them from the
 * torrent's store. Reads never time out; they end with data, an abort, or the torrent going away.
 */
import { statSync } from 'node:fs';
import type { Torrent, TorrentFile } from 'webtorrent';
import {
  abortError,
  type DataSource,
  DataSourceError,
  type OpenOptions,
  type ReadOptions,
} from '../stream/data-source.js';
import { type FileGeometry, piecesOf } from './piece-math.js';
import type { PieceWaiter } from './piece-waiter.js';
import { type ReaderWindow, type StreamPriority, TAIL_BYTES } from './stream-priority.js';

/** What a source needs from the engine's record of its torrent. */
export interface TorrentContext {
  torrent: Torrent;
  /** False while the torrent is being re-checked (after a cache eviction); `whenReady` waits for it. */
  ready: boolean;
  whenReady(signal?: AbortSignal): Promise<void>;
  priority: StreamPriority;
  waiter: PieceWaiter;
  /** Called on every read: the cache cap evicts the least recently streamed torrents first. */
  touch(): void;
  /** Where each live reader (keyed by its signal) has read up to, per file: the CLI's "buffered ahead". */
  readerPositions: Map<object, { fileIndex: number; offset: number }>;
  /** The file the store writes this file's bytes to. */
  filePath(fileIndex: number): string | undefined;
}

/** Store reads in flight per source read; enough to overlap disk I/O without a burst of thousands. */
const READ_CONCURRENCY = 8;

export class TorrentSource implements DataSource {
  readonly size: number;
  readonly name: string;
  private readonly geometry: FileGeometry;
  private readonly watched = new WeakSet<AbortSignal>();
  /** The readers (signals) this source gave windows to: dropped on close. */
  private readonly readers = new Set<object>();
  private closed = false;

  constructor(
    private readonly context: TorrentContext,
    readonly fileIndex: number,
    file: TorrentFile,
    /** The sanitised name: torrent-supplied names may hold anything. */
    name: string,
    private readonly options: OpenOptions = {},
  ) {
    this.size = file.length;
    this.name = name;
    this.geometry = { offset: file.offset, length: file.length, pieceLength: context.torrent.pieceLength };
  }

  /** Releases this source's readers: their windows stop steering the download. */
  close(): void {
    this.closed = true;
    for (const key of this.readers) this.forget(key);
  }

  /**
   * The store's file once every piece under this file is verified (webtorrent marks a piece only after the
   * store has written it) and the file on disk has exactly the file's length; else null.
   */
  completePath(): string | null {
    const { torrent } = this.context;
    if (this.closed || !this.context.ready || torrent.destroyed || this.size === 0) return null;
    const [first, last] = piecesOf(this.geometry, 0, this.size);
    for (let piece = first; piece <= last; piece++) if (!torrent.bitfield?.get(piece)) return null;
    const path = this.context.filePath(this.fileIndex);
    try {
      if (!path || statSync(path).size !== this.size) return null;
    } catch {
      return null;
    }
    this.context.touch(); // streamed from, though no read will say so
    return path;
  }

  async read(offset: number, length: number, options: ReadOptions = {}): Promise<Buffer> {
    const { signal, background = false } = options;
    if (signal?.aborted) throw abortError(signal);
    if (this.closed) throw new DataSourceError(`${this.name} is closed`, 'CLOSED');
    const start = Math.max(0, Math.floor(offset));
    const end = Math.min(this.size, start + Math.max(0, Math.floor(length)));
    if (end <= start) return Buffer.alloc(0);
    this.context.touch();
    if (!this.context.ready) await this.context.whenReady(signal);
    const [first, last] = piecesOf(this.geometry, start, end);
    // A read without a signal is its own transient reader: its window lives as long as the read. So does a
    // background read's: it reads nothing ahead, nor is it a position a player reads from.
    const key: object = signal ?? {};
    const window: ReaderWindow = background
      ? { span: [first, last], background }
      : { span: [first, Math.max(last, this.aheadEnd(last))], reading: [first, last] };
    this.prioritise(key, window, signal);
    if (signal && !background)
      this.context.readerPositions.set(key, { fileIndex: this.fileIndex, offset: start });
    try {
      await this.context.waiter.waitFor(first, last, signal);
    } finally {
      if (signal && !background) this.settle(key, last);
      else this.context.priority.dropReader(key);
    }
    if (signal?.aborted) throw abortError(signal);
    return this.readStore(start, end, first, last);
  }

  private prioritise(key: object, window: ReaderWindow, signal?: AbortSignal): void {
    this.context.priority.setReader(key, window);
    if (signal && !this.watched.has(signal)) {
      this.watched.add(signal);
      this.readers.add(key);
      signal.addEventListener('abort', () => this.forget(key), { once: true });
    }
  }

  private forget(key: object): void {
    this.readers.delete(key);
    this.context.priority.dropReader(key);
    this.context.readerPositions.delete(key);
  }

  /**
   * After a read the reader keeps a readahead from where it stopped, where its next read will start. The
   * file's tail is asked for now, not before: the first bytes a player needs must not share with it.
   */
  private settle(key: object, last: number): void {
    if ((key as AbortSignal).aborted || this.closed) return;
    this.requestTail();
    const next = Math.min(last + 1, this.lastPiece());
    this.context.priority.setReader(key, { span: [next, this.aheadEnd(next)] });
  }

  private aheadEnd(fromPiece: number): number {
    const bytes = this.context.priority.aheadBytes(this.options.mediaBytesPerSecond);
    const pieces = Math.ceil(bytes / this.geometry.pieceLength);
    return Math.min(this.lastPiece(), fromPiece + pieces);
  }

  private lastPiece(): number {
    return piecesOf(this.geometry, 0, this.size)[1];
  }

  private requestTail(): void {
    const tailStart = Math.max(0, this.size - TAIL_BYTES);
    this.context.priority.addTail(this.fileIndex, piecesOf(this.geometry, tailStart, this.size));
  }

  private async readStore(start: number, end: number, first: number, last: number): Promise<Buffer> {
    const { torrent } = this.context;
    const { pieceLength, offset } = this.geometry;
    const parts: Uint8Array[] = new Array(last - first + 1);
    let next = first;
    const worker = async () => {
      while (next <= last) {
        const piece = next++;
        const pieceStart = piece * pieceLength;
        const from = Math.max(offset + start, pieceStart) - pieceStart;
        const to = Math.min(offset + end, pieceStart + pieceLength) - pieceStart;
        parts[piece - first] = await getChunk(torrent, piece, from, to - from);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, last - first + 1) }, worker));
    return Buffer.concat(parts, end - start);
  }
}

function getChunk(torrent: Torrent, piece: number, offset: number, length: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const store = torrent.store;
    if (!store || torrent.destroyed) {
      reject(new DataSourceError('the torrent was closed', 'TORRENT_CLOSED'));
      return;
    }
    store.get(piece, { offset, length }, (err, buf) => {
      if (err || !buf)
        reject(new DataSourceError(`reading piece ${piece} failed: ${err?.message}`, 'READ_FAILED'));
      else resolve(buf);
    });
  });
}
