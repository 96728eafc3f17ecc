/**
 * The BitTorrent side of streamtide: a webtorrent client whose torrents each live in `dir/<infoHash>/`,
 * opened as DataSources for the Catalog (info-hashes lowercase, as parseInput gives them). It remembers its
 * torrents across restarts (persistence.ts) and keeps their data under a size cap (eviction.ts).
 */
import { EventEmitter } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type WebTorrent from 'webtorrent';
import type { Torrent } from 'webtorrent';
import type { PlayPositions } from '../catalog/play-positions.js';
import type { CatalogEntry, Torrents } from '../catalog/types.js';
import { type DataSource, DataSourceError, type OpenOptions } from '../stream/data-source.js';
import { addToClient, closeTorrent, leaveAtShutdown } from './attach.js';
import { startClient } from './client.js';
import { clientSettings, defaultWarning, type EngineEvents, type EngineOptions } from './engine-options.js';
import { enforceCap } from './eviction.js';
import { parseInput } from './parse-input.js';
import { type Ban, BanList } from './peer-bans.js';
import { Persistence, resumable } from './persistence.js';
import { type SavedTorrent, savedBitfield } from './state-store.js';
import { TorrentRecord } from './torrent-record.js';
import { watchTorrent } from './torrent-watch.js';
import { TransferTotals } from './transfer-totals.js';

export type { EngineEvents } from './engine-options.js';

/** How often progress is saved and the cache cap enforced. */
const HOUSEKEEPING_MS = 30_000;
/** How often a torrent that someone waits for but that has no peer dials its known peers again. */
const REDIAL_MS = 3_000;

export class TorrentEngine implements Torrents {
  readonly events = new EventEmitter<EngineEvents>();
  private readonly records = new Map<string, TorrentRecord>();
  private readonly adding = new Map<string, Promise<TorrentRecord>>();
  private readonly persistence: Persistence;
  private readonly dir: string;
  private readonly warn: (message: string) => void;
  private readonly timers: NodeJS.Timeout[];
  private readonly bans = new BanList();
  readonly totals = new TransferTotals();
  private destroyed: Promise<void> | undefined;

  private constructor(
    private readonly client: WebTorrent,
    private readonly options: EngineOptions,
  ) {
    this.dir = resolve(options.dir);
    this.warn = options.onWarning ?? defaultWarning;
    this.persistence = new Persistence(this.dir, options.persist !== false, this.records, this.warn);
    client.on('error', (err: Error) => this.warn(err.message));
    this.bans.on('ban', ({ host, reason }) => this.warn(`banned peer ${host}: it ${reason}`));
    // Neither timer keeps the process alive.
    this.timers = [
      setInterval(() => {
        this.housekeeping().catch((err: Error) => this.warn(`housekeeping failed: ${err.message}`));
      }, HOUSEKEEPING_MS).unref(),
      setInterval(() => {
        for (const record of this.records.values()) if (record.starving) record.redial();
      }, REDIAL_MS).unref(),
    ];
  }

  static async create(options: EngineOptions): Promise<TorrentEngine> {
    await mkdir(options.dir, { recursive: true });
    const client = await startClient(clientSettings(options));
    const engine = new TorrentEngine(client, options);
    await engine.persistence.restore(options.restore !== false, (saved) => engine.resume(saved));
    return engine;
  }

  /** The BitTorrent listening port. */
  get port(): number {
    return this.client.torrentPort;
  }

  /** The caps the client was started with, in bytes per second (undefined: unlimited). */
  get limits(): { download?: number; upload?: number } {
    const { downloadLimit, uploadLimit } = clientSettings(this.options);
    return { download: downloadLimit, upload: uploadLimit };
  }

  async add(
    input: string | Uint8Array,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ entry: CatalogEntry; created: boolean }> {
    if (this.destroyed) throw new Error('the torrent engine is closed');
    const parsed = await parseInput(input, { signal: opts.signal });
    // No await between this check and attach() unless another add of the same torrent is in flight:
    // two adds racing past it would both reach webtorrent, which destroys the second.
    const pending = this.adding.get(parsed.infoHash);
    const known = this.records.get(parsed.infoHash) ?? (pending ? await pending : undefined);
    if (known) {
      // A second magnet may carry new peer hints: worth dialling.
      known.addPeerHints(parsed.peers);
      return { entry: known.entry(), created: false };
    }
    const magnet = typeof parsed.torrentId === 'string' ? parsed.torrentId : undefined;
    // Saved but not restored (a one-shot run): resume it from its saved pieces.
    const saved = this.persistence.take(parsed.infoHash);
    const record = new TorrentRecord(parsed.infoHash, join(this.dir, parsed.infoHash), saved);
    record.addPeerHints(parsed.peers);
    // A hash or magnet of a torrent saved with its metadata opens from it (no peer needed, the library keeps it).
    const torrentId = magnet && saved?.torrent ? Buffer.from(saved.torrent, 'base64') : parsed.torrentId;
    const adding = this.attach(record, torrentId, { magnet, bitfield: savedBitfield(saved) });
    this.adding.set(parsed.infoHash, adding);
    try {
      await adding;
      // The torrent is in: answered now (a stream start waits on it), the state file after (a failure warns).
      void this.persistence.saveOrWarn();
      const entry = record.entry();
      this.events.emit('added', entry);
      return { entry, created: true };
    } catch (err) {
      this.records.delete(parsed.infoHash);
      if (saved) this.persistence.keep(saved);
      throw err;
    } finally {
      this.adding.delete(parsed.infoHash);
    }
  }

  get(infoHash: string): CatalogEntry | undefined {
    return this.records.get(infoHash)?.entry();
  }

  list(): CatalogEntry[] {
    return [...this.records.values()].map((record) => record.entry());
  }

  async waitForMetadata(infoHash: string, signal?: AbortSignal): Promise<CatalogEntry> {
    const record = this.records.get(infoHash);
    if (!record) throw new DataSourceError(`unknown torrent ${infoHash}`, 'NOT_FOUND');
    await record.whenReady(signal);
    return record.entry();
  }

  open(infoHash: string, fileIndex: number, options?: OpenOptions): DataSource | undefined {
    return this.records.get(infoHash)?.open(fileIndex, options);
  }

  async remove(infoHash: string, opts: { deleteFiles?: boolean } = {}): Promise<boolean> {
    const record = this.records.get(infoHash);
    if (!record) return false;
    this.records.delete(record.infoHash);
    const entry = record.entry();
    record.fail('the torrent was removed', 'TORRENT_REMOVED');
    await closeTorrent(record);
    if (opts.deleteFiles) await rm(record.folder, { recursive: true, force: true });
    this.events.emit('removed', entry);
    await this.persistence.save();
    return true;
  }

  fileRanges(infoHash: string, fileIndex: number): Array<[number, number]> {
    return this.records.get(infoHash)?.fileRanges(fileIndex) ?? [];
  }

  /** Where the live readers of a file are (byte offsets, lowest first): a player's position, roughly. */
  readerOffsets(infoHash: string, fileIndex: number): number[] {
    return this.records.get(infoHash)?.readerOffsets(fileIndex) ?? [];
  }

  stallReason(infoHash: string): string | null {
    return this.records.get(infoHash)?.stallReason() ?? null;
  }

  /** Where players stopped in a torrent's files: saved with it, a change written within POSITION_SAVE_MS. */
  positions(infoHash: string): PlayPositions | undefined {
    return this.records.get(infoHash)?.positions;
  }

  /** Connects to a peer of a known torrent ('host:port'). */
  addPeer(infoHash: string, address: string): void {
    const record = this.records.get(infoHash);
    if (!record) throw new DataSourceError(`unknown torrent ${infoHash}`, 'NOT_FOUND');
    record.torrent.addPeer(address);
  }

  /** Peers banned for sending corrupt data (by IP address, for every torrent). */
  bannedPeers(): Ban[] {
    return this.bans.list();
  }

  /** The webtorrent Torrent behind an entry, for diagnostics and tests (its events, its bitfield). */
  torrent(infoHash: string): Torrent | undefined {
    return this.records.get(infoHash)?.torrent;
  }

  /** Saves state, then closes every torrent and the client. Safe to call twice. */
  destroy(): Promise<void> {
    this.destroyed ??= (async () => {
      for (const timer of this.timers) clearInterval(timer);
      await this.persistence.saveLast();
      for (const record of this.records.values()) leaveAtShutdown(record);
      this.records.clear();
      await new Promise<void>((done) => this.client.destroy(() => done()));
    })();
    return this.destroyed;
  }

  /** Adds `torrentId` to webtorrent for `record` and lists it; resolves once the info-hash is known. */
  private async attach(
    record: TorrentRecord,
    torrentId: string | Uint8Array,
    extra: { magnet?: string; bitfield?: Uint8Array },
  ): Promise<TorrentRecord> {
    const announce = this.options.announce ?? [];
    const { torrent, started } = addToClient(this.client, record, torrentId, {
      ...extra,
      announce,
      bans: this.bans,
      totals: this.totals,
    });
    this.records.set(record.infoHash, record);
    record.positions.onChange = () => this.destroyed || this.persistence.saveSoon();
    watchTorrent(record, torrent, {
      warn: this.warn,
      save: () => this.persistence.save(),
      ready: (ready) => this.events.emit('ready', ready.entry()),
    });
    await started;
    return record;
  }

  /** Resumes a saved torrent (at start): attached, but not announced as 'added'. */
  private async resume(saved: SavedTorrent): Promise<void> {
    if (this.records.has(saved.infoHash)) return;
    const resumed = await resumable(saved, join(this.dir, saved.infoHash));
    if (resumed) await this.attach(resumed.record, resumed.torrentId, resumed.extra);
  }

  private async housekeeping(): Promise<void> {
    if (!this.destroyed) await this.enforceCap().then(() => this.persistence.saveOrWarn());
  }

  /** Evicts the least recently streamed idle torrents' data until the total fits under maxCacheBytes. */
  async enforceCap(): Promise<string[]> {
    const evicted = await enforceCap({
      records: this.records,
      maxCacheBytes: this.options.maxCacheBytes,
      extraBytes: this.options.extraBytes ?? (() => 0),
      closed: () => !!this.destroyed,
      reattach: (record, torrentFile) => this.attach(record, torrentFile, {}),
    });
    for (const infoHash of evicted) this.events.emit('evicted', infoHash);
    return evicted;
  }
}
