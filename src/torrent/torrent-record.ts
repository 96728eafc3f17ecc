/**
 * The engine's record of one torrent: the webtorrent Torrent (swapped when the cache cap evicts its data),
 * and, once the metadata is in, its safe file paths, piece waiter and streaming priority.
 */
import type { Torrent, Wire } from 'webtorrent';
import { PlayPositions } from '../catalog/play-positions.js';
import type { CatalogEntry } from '../catalog/types.js';
import { abortableWait } from '../stream/abort.js';
import { DataSourceError, type OpenOptions } from '../stream/data-source.js';
import { KnownPeers } from './known-peers.js';
import { verifiedRanges } from './piece-math.js';
import { PieceWaiter } from './piece-waiter.js';
import { confine, safeFilePaths } from './safe-path.js';
import type { SavedTorrent } from './state-store.js';
import { StreamPriority } from './stream-priority.js';
import type { TorrentContext } from './torrent-source.js';
import { TorrentSource } from './torrent-source.js';
import { catalogEntry, stallReason } from './torrent-stats.js';

interface Live {
  paths: string[];
  waiter: PieceWaiter;
  priority: StreamPriority;
}

export class TorrentRecord implements TorrentContext {
  torrent!: Torrent;
  addedAt: number;
  lastStreamedAt: number;
  evicted: boolean;
  /** Set while the record is being torn down on purpose (remove, evict, destroy). */
  closing = false;
  /** Why webtorrent stopped this torrent (a store error such as a full disk); it stays listed with it. */
  failure: string | undefined;
  private magnet: string | undefined;
  readonly peers: KnownPeers;
  private live: Live | undefined;
  readonly readerPositions = new Map<object, { fileIndex: number; offset: number }>();
  /** Where players stopped in its files: saved with it. */
  readonly positions: PlayPositions;
  private readyWaiters = new Set<{ resolve(): void; reject(err: unknown): void }>();

  constructor(
    readonly infoHash: string,
    readonly folder: string,
    saved: Partial<SavedTorrent> = {},
  ) {
    const now = Date.now();
    this.addedAt = saved.addedAt ?? now;
    this.lastStreamedAt = saved.lastStreamedAt ?? 0;
    this.evicted = saved.evicted ?? false;
    this.magnet = saved.magnet;
    this.positions = new PlayPositions(saved.positions);
    this.peers = new KnownPeers(saved.peers);
  }

  /** Binds a (new) webtorrent Torrent to this record. */
  attach(torrent: Torrent, magnet?: string): void {
    this.torrent = torrent;
    this.live = undefined;
    if (magnet) this.magnet = magnet;
    const onReady = () => {
      const paths = safeFilePaths(torrent.files.map((file) => file.path));
      this.live = { paths, waiter: new PieceWaiter(torrent), priority: new StreamPriority(torrent) };
      for (const waiter of this.readyWaiters) waiter.resolve();
      this.readyWaiters.clear();
    };
    if (torrent.ready) onReady();
    else torrent.once('ready', onReady);
    torrent.on('wire', (wire: Wire) => this.peers.remember(wire));
  }

  /** Peers a magnet named: remembered for every Torrent of this record, and dialled now when it can. */
  addPeerHints(peers: string[]): void {
    for (const peer of peers) {
      this.peers.hints.add(peer);
      if (this.torrent?.infoHash && !this.torrent.destroyed) this.torrent.addPeer(peer);
    }
  }

  /** Someone waits for this torrent (its metadata or a read) and no peer is connected. */
  get starving(): boolean {
    const torrent = this.torrent;
    if (torrent.destroyed || !torrent.infoHash || torrent.wires.length > 0) return false;
    return this.readyWaiters.size > 0 || (this.live?.waiter.pending ?? 0) > 0;
  }

  /**
   * Dials the peers this torrent knew again. webtorrent gives up on a peer after three failed reconnects
   * (~20 s) and only trackers or the DHT bring it back, minutes later: a seeder that restarts would stall
   * a stream that long. Peers already connected or being dialled are skipped by webtorrent.
   */
  redial(): void {
    for (const peer of this.peers.all()) {
      try {
        this.torrent.addPeer(peer);
      } catch {
        // The torrent closed meanwhile.
      }
    }
  }

  /** The pieces reads wait on now ([first, last] spans); none before the metadata. */
  waitedSpans(): Array<[number, number]> {
    return this.live?.priority.waitedSpans() ?? [];
  }

  get ready(): boolean {
    return !!this.live && this.torrent.ready;
  }

  get waiter(): PieceWaiter {
    return this.requireLive().waiter;
  }

  get priority(): StreamPriority {
    return this.requireLive().priority;
  }

  /** Nobody streams from it and nobody waits for it: safe to evict. */
  get idle(): boolean {
    return !this.live || (!this.live.priority.active && this.live.waiter.pending === 0);
  }

  touch(): void {
    this.lastStreamedAt = Date.now();
  }

  /** Byte offsets the live readers of a file have reached, lowest first. */
  readerOffsets(fileIndex: number): number[] {
    return [...this.readerPositions.values()]
      .filter((position) => position.fileIndex === fileIndex)
      .map((position) => position.offset)
      .sort((a, b) => a - b);
  }

  whenReady(signal?: AbortSignal): Promise<void> {
    if (this.failure) return Promise.reject(this.stoppedError());
    if (this.ready) return Promise.resolve();
    return abortableWait<void>(signal, (resolve, reject) => {
      const waiter = { resolve, reject };
      this.readyWaiters.add(waiter);
      return () => this.readyWaiters.delete(waiter);
    });
  }

  entry(): CatalogEntry {
    const entry = catalogEntry(this.torrent, this.infoHash, this.ready ? this.live?.paths : undefined);
    return this.failure
      ? { ...entry, downloadSpeed: 0, uploadSpeed: 0, numPeers: 0, error: this.failure }
      : entry;
  }

  stallReason(): string | null {
    if (this.failure) return `stopped: ${this.failure}`;
    return stallReason(this.torrent, this.live?.waiter.pending ?? 0);
  }

  open(fileIndex: number, options?: OpenOptions): TorrentSource | undefined {
    if (!this.ready || !Number.isInteger(fileIndex)) return undefined;
    const file = this.torrent.files[fileIndex];
    const name = this.live?.paths[fileIndex]?.split('/').pop();
    return file && name ? new TorrentSource(this, fileIndex, file, name, options) : undefined;
  }

  /** Where the store writes this file: the confined store's path for it (see attach.ts). */
  filePath(fileIndex: number): string | undefined {
    const relative = this.live?.paths[fileIndex];
    return relative === undefined ? undefined : confine(this.folder, relative);
  }

  fileRanges(fileIndex: number): Array<[number, number]> {
    const file = this.ready ? this.torrent.files[fileIndex] : undefined;
    if (!file) return [];
    // What a read gets is counted from when the read does: a piece still being written too.
    const waiter = this.live?.waiter;
    return verifiedRanges(
      { offset: file.offset, length: file.length, pieceLength: this.torrent.pieceLength },
      waiter ? { get: (piece) => waiter.has(piece) } : this.torrent.bitfield,
    );
  }

  saved(): SavedTorrent {
    const torrent = this.torrent;
    const withMetadata = !!torrent.metadata && !!torrent.bitfield;
    const positions = this.positions.saved();
    return {
      infoHash: this.infoHash,
      name: torrent.name,
      ...(withMetadata
        ? {
            torrent: Buffer.from(torrent.torrentFile).toString('base64'),
            bitfield: Buffer.from(torrent.bitfield!.buffer).toString('base64'),
          }
        : { magnet: this.magnet ?? torrent.magnetURI }),
      addedAt: this.addedAt,
      lastStreamedAt: this.lastStreamedAt,
      ...(this.peers.hints.size > 0 ? { peers: [...this.peers.hints] } : {}),
      ...(this.evicted ? { evicted: true } : {}),
      ...(positions ? { positions } : {}),
    };
  }

  /** Lets go of the current Torrent's waiter and windows before it is swapped (nothing may be waiting). */
  detach(): void {
    this.peers.keep(this.torrent.wires);
    this.live?.waiter.close(new DataSourceError('the torrent data was evicted', 'EVICTED'));
    this.live = undefined;
  }

  /** webtorrent stopped the torrent (a store error such as a full disk): it stays listed with the reason. */
  stop(reason: string): void {
    this.failure = reason;
    this.failWith(this.stoppedError());
  }

  /** Fails everything waiting on this torrent (reads and waitForMetadata). */
  fail(message: string, code: string): void {
    this.failWith(new DataSourceError(message, code));
  }

  /** A stopped torrent answers 503 with its reason: the server is fine, this torrent is not. */
  private stoppedError(): DataSourceError {
    return new DataSourceError(`the torrent stopped: ${this.failure}`, 'TORRENT_FAILED', { statusCode: 503 });
  }

  private failWith(err: DataSourceError): void {
    this.live?.waiter.close(err);
    this.live?.priority.clear();
    for (const waiter of this.readyWaiters) waiter.reject(err);
    this.readyWaiters.clear();
  }

  private requireLive(): Live {
    if (!this.live) throw new DataSourceError('the torrent has no metadata yet', 'NOT_READY');
    return this.live;
  }
}
