/**
 * Everything streamtide can stream, behind one interface: the torrents of the engine and local files. The
 * server and the CLI ask it for entries, files and DataSources; it answers "unknown" with 404 and "the
 * torrent stopped" with 503 (errors carrying `statusCode`). Info-hashes arrive lowercase. Its methods carry
 * the names of the engine's (types.ts: Torrents), which it extends to local files.
 */
import type { DataSource, OpenOptions } from '../stream/data-source.js';
import { LocalFiles } from './local-files.js';
import type { LocalPositionsFile } from './local-positions.js';
import type { PlayPositions } from './play-positions.js';
import { StartLedger } from './start-ledger.js';
import { statusError } from './status-error.js';
import type { CatalogEntry, CatalogFile, Torrents } from './types.js';

export class Catalog {
  private readonly local: LocalFiles;
  /** Stream starts and their phases (the torrent object's `lastStart`). */
  readonly starts = new StartLedger();

  /** `localPositions`: where local files' play positions are kept across restarts (else not at all). */
  constructor(
    readonly torrents: Torrents | null,
    options: { localPositions?: LocalPositionsFile } = {},
  ) {
    this.local = new LocalFiles(options.localPositions);
  }

  /** Saves what is still unsaved of local files (the torrents save with the engine). */
  flush(): Promise<void> {
    return this.local.flush();
  }

  addLocalFile(path: string): Promise<CatalogEntry> {
    return this.local.add(path);
  }

  /** Adds a torrent (see TorrentEngine.add); 503 when this catalog has no torrent engine. */
  async add(
    input: string | Uint8Array,
    opts?: { signal?: AbortSignal },
  ): Promise<{ entry: CatalogEntry; created: boolean }> {
    if (!this.torrents) throw statusError(503, 'This server was started without a torrent engine');
    const added = await this.torrents.add(input, opts);
    if (added.created) this.starts.noteAdded(added.entry.infoHash);
    return added;
  }

  get(infoHash: string): CatalogEntry | undefined {
    return this.local.get(infoHash) ?? this.torrents?.get(infoHash);
  }

  list(): CatalogEntry[] {
    return [...this.local.list(), ...(this.torrents?.list() ?? [])];
  }

  /** The entry, once its files are known (a torrent's metadata may still be on its way); 404 when unknown. */
  async waitForMetadata(infoHash: string, signal?: AbortSignal): Promise<CatalogEntry> {
    const entry = this.get(infoHash);
    if (!entry) throw statusError(404, `Unknown torrent ${infoHash}`);
    if (entry.ready || !this.torrents) return entry;
    return this.torrents.waitForMetadata(infoHash, signal);
  }

  /** The entry and one of its files, waiting for metadata while `signal` lets it. */
  async file(
    infoHash: string,
    index: number,
    signal?: AbortSignal,
  ): Promise<{ entry: CatalogEntry; file: CatalogFile }> {
    this.assertWorking(infoHash);
    const entry = await this.waitForMetadata(infoHash, signal);
    const file = entry.files[index];
    if (!file) throw statusError(404, `Torrent ${entry.infoHash} has no file ${index}`);
    return { entry, file };
  }

  /** A DataSource for the file; the caller closes it. */
  async open(infoHash: string, index: number, options?: OpenOptions): Promise<DataSource> {
    const source = (await this.local.open(infoHash, index)) ?? this.torrents?.open(infoHash, index, options);
    if (source) return this.starts.watch(source, infoHash, index);
    this.assertWorking(infoHash);
    throw statusError(404, `Torrent ${infoHash} has no file ${index}`);
  }

  /** Forgets the entry; a torrent's downloaded data goes too with `deleteFiles`, a local file never does. */
  async remove(infoHash: string, opts: { deleteFiles?: boolean } = {}): Promise<boolean> {
    this.starts.forget(infoHash);
    if (this.local.forget(infoHash)) return true;
    return (await this.torrents?.remove(infoHash, opts)) ?? false;
  }

  /** Byte ranges of the file on disk (a local file is all there). */
  fileRanges(infoHash: string, index: number): Array<[number, number]> {
    const local = this.local.get(infoHash);
    if (local) return index === 0 ? [[0, local.length]] : [];
    return this.torrents?.fileRanges(infoHash, index) ?? [];
  }

  /** Byte offsets where the file's live readers are (torrents only). */
  readerOffsets(infoHash: string, index: number): number[] {
    return this.torrents?.readerOffsets(infoHash, index) ?? [];
  }

  /** Why readers of this entry wait ("no peers"); null when nobody waits or it is a local file. */
  stallReason(infoHash: string): string | null {
    return this.torrents?.stallReason(infoHash) ?? null;
  }

  /** Where players stopped in the entry's files; undefined for an unknown entry. */
  positions(infoHash: string): PlayPositions | undefined {
    return this.local.positions(infoHash) ?? this.torrents?.positions(infoHash);
  }

  /** A torrent that stopped (a full disk) answers 503 with its reason rather than a confusing 404. */
  private assertWorking(infoHash: string): void {
    const failed = this.get(infoHash)?.error;
    if (failed) throw statusError(503, `Torrent ${infoHash} stopped: ${failed}`);
  }
}
