/**
 * The BitTorrent side of streamtide: a webtorrent client whose torrents each live in `dir/<infoHash>/`,
 * exposed to the Catalog as DataSources (info-hashes lowercase, as parseInput gives them). It remembers its torrents across restarts (state-store) and keeps the
 * data under a size cap by evicting the least recently streamed torrents nobody is reading (cache-cap).
 */
import { EventEmitter } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type WebTorrent from 'webtorrent';
import type { Torrent } from 'webtorrent';
import type { CatalogEntry, Torrents } from '../catalog/types.js';
import { type DataSource, DataSourceError } from '../stream/data-source.js';
import { addToClient, closeTorrent } from './attach.js';
import { planEviction } from './cache-cap.js';
import { startClient } from './client.js';
import { clientSettings, DEFAULT_MAX_CACHE_BYTES, type EngineOptions } from './engine-options.js';
import { parseInput } from './parse-input.js';
import { type Ban, BanList } from './peer-bans.js';
import { type SavedTorrent, StateStore, savedBitfield } from './state-store.js';
import { TorrentRecord } from './torrent-record.js';

/** How often progress is saved and the cache cap enforced. */
const HOUSEKEEPING_MS = 30_000;
/** How often a torrent that someone waits for but that has no peer dials its known peers again. */
const REDIAL_MS = 3_000;

/** What happens to the torrents, for whoever reports it (the server's log); torrents restored at start are not 'added'. */
export interface EngineEvents {
  added: [CatalogEntry];
  /** Metadata in and data checked: its files are known (not again when its data was evicted). */
  ready: [CatalogEntry];
  removed: [CatalogEntry];
}

export class TorrentEngine implements Torrents {
  readonly events = new EventEmitter<EngineEvents>();
  private readonly records = new Map<string, TorrentRecord>();
  private readonly adding = new Map<string, Promise<TorrentRecord>>();
  private readonly state: StateStore | null;
  private readonly dir: string;
  private readonly warn: (message: string) => void;
  private readonly timer: NodeJS.Timeout;
  private readonly redialTimer: NodeJS.Timeout;
  private readonly bans = new BanList();
  private destroyed: Promise<void> | undefined;

  private constructor(
    private readonly client: WebTorrent,
    private readonly options: EngineOptions,
  ) {
    this.dir = resolve(options.dir);
    this.state = options.persist === false ? null : new StateStore(this.dir);
    this.warn = options.onWarning ?? ((message) => console.warn(`streamtide torrent: ${message}`));
    client.on('error', (err: Error) => this.warn(err.message));
    this.bans.on('ban', ({ host, reason }) => this.warn(`banned peer ${host}: it ${reason}`));
    this.timer = setInterval(() => {
      this.housekeeping().catch((err: Error) => this.warn(`housekeeping failed: ${err.message}`));
    }, HOUSEKEEPING_MS);
    this.timer.unref();
    this.redialTimer = setInterval(() => {
      for (const record of this.records.values()) if (record.starving) record.redial();
    }, REDIAL_MS);
    this.redialTimer.unref();
  }

  static async create(options: EngineOptions): Promise<TorrentEngine> {
    await mkdir(options.dir, { recursive: true });
    const client = await startClient(clientSettings(options));
    const engine = new TorrentEngine(client, options);
    await engine.restore();
    return engine;
  }

  /** The BitTorrent listening port. */
  get port(): number {
    return this.client.torrentPort;
  }

  async add(
    input: string | Uint8Array,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ entry: CatalogEntry; created: boolean }> {
    this.assertOpen();
    const parsed = await parseInput(input, { signal: opts.signal });
    // No await between this check and attach() unless another add of the same torrent is in flight:
    // two adds racing past it would both reach webtorrent, which destroys the second.
    const pending = this.adding.get(parsed.infoHash);
    const known = this.records.get(parsed.infoHash) ?? (pending ? await pending : undefined);
    if (known) {
      // A second magnet may carry new peer hints: worth dialling.
      for (const peer of parsed.peers) {
        known.peerHints.add(peer);
        if (known.torrent.infoHash && !known.torrent.destroyed) known.torrent.addPeer(peer);
      }
      return { entry: known.entry(), created: false };
    }
    const magnet = typeof parsed.torrentId === 'string' ? parsed.torrentId : undefined;
    // Saved but not restored (a one-shot run): resume it from its saved pieces.
    const saved = this.state?.take(parsed.infoHash);
    const record = new TorrentRecord(parsed.infoHash, this.folderOf(parsed.infoHash), saved);
    for (const peer of parsed.peers) record.peerHints.add(peer);
    const adding = this.attach(record, parsed.torrentId, { magnet, bitfield: savedBitfield(saved) });
    this.adding.set(parsed.infoHash, adding);
    try {
      await adding;
      // A state file that cannot be written (a full disk) must not fail the add: the torrent is in.
      await this.persist().catch((err: Error) => this.warn(`saving state failed: ${err.message}`));
      const entry = record.entry();
      this.events.emit('added', entry);
      return { entry, created: true };
    } catch (err) {
      this.records.delete(parsed.infoHash);
      if (saved) this.state?.keep([saved]);
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

  open(infoHash: string, fileIndex: number): DataSource | undefined {
    return this.records.get(infoHash)?.open(fileIndex);
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
    await this.persist();
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
      clearInterval(this.timer);
      clearInterval(this.redialTimer);
      await this.persist().catch((err: Error) => this.warn(`saving state failed: ${err.message}`));
      for (const record of this.records.values()) {
        record.closing = true;
        record.fail('the torrent engine was closed', 'ENGINE_CLOSED');
      }
      this.records.clear();
      await new Promise<void>((done) => this.client.destroy(() => done()));
    })();
    return this.destroyed;
  }

  private folderOf(infoHash: string): string {
    return join(this.dir, infoHash);
  }

  private assertOpen(): void {
    if (this.destroyed) throw new Error('the torrent engine is closed');
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
    });
    this.records.set(record.infoHash, record);
    this.watch(record, torrent);
    await started;
    return record;
  }

  private watch(record: TorrentRecord, torrent: Torrent): void {
    let lastError: string | undefined;
    torrent.on('error', (err: Error) => {
      lastError = err.message;
      this.warn(`${record.infoHash}: ${err.message}`);
    });
    torrent.on('warning', () => {}); // tracker hiccups and bad pieces: webtorrent retries on its own
    torrent.once('ready', () => {
      void this.persist().catch(() => {});
      if (record.torrent === torrent && !record.closing && !record.evicted) {
        this.events.emit('ready', record.entry());
      }
    });
    torrent.once('done', () => void this.persist().catch(() => {}));
    torrent.once('close', () => {
      // Closed by webtorrent itself (a store error such as a full disk): it stays listed with the reason, and
      // everything waiting on it fails with that reason; removing it is the user's call.
      if (record.closing || record.torrent !== torrent) return;
      record.stop(lastError ?? 'the torrent stopped after an error');
    });
  }

  private async restore(): Promise<void> {
    if (!this.state) return;
    const torrents = await this.state.load();
    if (this.options.restore === false) return this.state.keep(torrents);
    for (const saved of torrents) {
      if (this.records.has(saved.infoHash)) continue;
      try {
        await this.restoreOne(saved);
      } catch (err) {
        this.warn(`could not restore ${saved.infoHash}: ${(err as Error).message}`);
      }
    }
  }

  private async restoreOne(saved: SavedTorrent): Promise<void> {
    const source = saved.torrent ? Buffer.from(saved.torrent, 'base64') : saved.magnet;
    if (!source) return;
    const parsed = await parseInput(source);
    if (parsed.infoHash !== saved.infoHash) throw new Error('saved torrent does not match its info-hash');
    const record = new TorrentRecord(saved.infoHash, this.folderOf(saved.infoHash), saved);
    await this.attach(record, parsed.torrentId, { magnet: saved.magnet, bitfield: savedBitfield(saved) });
  }

  private async persist(): Promise<void> {
    if (!this.state) return;
    await this.state.save([...this.records.values()].map((record) => record.saved()));
  }

  private async housekeeping(): Promise<void> {
    if (this.destroyed) return;
    await this.enforceCap();
    await this.persist().catch((err: Error) => this.warn(`saving state failed: ${err.message}`));
  }

  /** Evicts the least recently streamed idle torrents' data until the total fits under maxCacheBytes. */
  async enforceCap(): Promise<string[]> {
    const max = this.options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES;
    const victims = planEviction(
      [...this.records.values()].map((record) => ({
        infoHash: record.infoHash,
        bytes: record.torrent.ready ? record.torrent.downloaded : 0,
        lastUsed: Math.max(record.lastStreamedAt, record.addedAt),
        evictable: record.ready && record.idle,
      })),
      max,
    );
    for (const infoHash of victims) {
      const record = this.records.get(infoHash);
      if (record) await this.evict(record);
    }
    return victims;
  }

  /** Deletes a torrent's data and adds it back deselected: still listed, downloaded again only when streamed. */
  private async evict(record: TorrentRecord): Promise<void> {
    const torrentFile = record.torrent.torrentFile;
    record.detach();
    await closeTorrent(record, true);
    await rm(record.folder, { recursive: true, force: true });
    if (this.destroyed) return;
    record.evicted = true;
    await this.attach(record, torrentFile, {});
  }
}
