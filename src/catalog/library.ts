/**
 * One catalog for the server: torrents from the engine, plus local media files given on the command line.
 * Local files get a stable 40-hex id (a hash of their real path), so the same `/stream/:id/:index` URLs serve both.
 */
import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { DataSource } from '../stream/data-source.js';
import { LocalFileSource } from '../stream/local-file-source.js';
import { mimeOf } from './mime.js';
import type { Catalog, CatalogEntry } from './types.js';

/** What the server needs from the torrent side (TorrentEngine satisfies it). */
export interface TorrentCatalog extends Catalog {
  add(
    input: string | Uint8Array,
    opts?: { signal?: AbortSignal },
  ): Promise<{ entry: CatalogEntry; created: boolean }>;
  remove(infoHash: string, opts?: { deleteFiles?: boolean }): Promise<boolean>;
  waitForMetadata(infoHash: string, signal?: AbortSignal): Promise<CatalogEntry>;
  fileRanges(infoHash: string, fileIndex: number): Array<[number, number]>;
  readerOffsets(infoHash: string, fileIndex: number): number[];
  stallReason(infoHash: string): string | null;
}

interface LocalItem {
  entry: CatalogEntry;
  path: string;
}

export class Library {
  private readonly local = new Map<string, LocalItem>();

  constructor(readonly torrents: TorrentCatalog | null) {}

  /** Adds a local media file; returns its entry (the same one when added twice). */
  async addLocalFile(path: string): Promise<CatalogEntry> {
    const real = await realpath(path);
    const info = await stat(real);
    if (!info.isFile()) throw new Error(`${path} is not a file`);
    const infoHash = createHash('sha1').update(`local:${real}`).digest('hex');
    const existing = this.local.get(infoHash);
    if (existing) return existing.entry;
    const name = basename(real);
    const entry: CatalogEntry = {
      infoHash,
      name,
      ready: true,
      length: info.size,
      progress: 1,
      downloadSpeed: 0,
      uploadSpeed: 0,
      numPeers: 0,
      files: [{ index: 0, name, path: name, length: info.size, progress: 1, mime: mimeOf(name) }],
    };
    this.local.set(infoHash, { entry, path: real });
    return entry;
  }

  isLocal(infoHash: string): boolean {
    return this.local.has(infoHash);
  }

  get(infoHash: string): CatalogEntry | undefined {
    return this.local.get(infoHash)?.entry ?? this.torrents?.get(infoHash);
  }

  list(): CatalogEntry[] {
    return [...[...this.local.values()].map((item) => item.entry), ...(this.torrents?.list() ?? [])];
  }

  /** Waits for a torrent's metadata (a local file has it already); undefined when unknown. */
  async whenReady(infoHash: string, signal?: AbortSignal): Promise<CatalogEntry | undefined> {
    const entry = this.get(infoHash);
    if (!entry || entry.ready || !this.torrents) return entry;
    return this.torrents.waitForMetadata(infoHash, signal);
  }

  async openSource(infoHash: string, fileIndex: number): Promise<DataSource | undefined> {
    const item = this.local.get(infoHash);
    if (item) return fileIndex === 0 ? LocalFileSource.open(item.path) : undefined;
    return this.torrents?.openSource(infoHash, fileIndex);
  }

  async remove(infoHash: string, deleteFiles: boolean): Promise<boolean> {
    // A local file is the user's own: forgetting it never deletes it.
    if (this.local.delete(infoHash)) return true;
    return (await this.torrents?.remove(infoHash, { deleteFiles })) ?? false;
  }

  fileRanges(infoHash: string, fileIndex: number): Array<[number, number]> {
    const item = this.local.get(infoHash);
    if (item) return fileIndex === 0 ? [[0, item.entry.length]] : [];
    return this.torrents?.fileRanges(infoHash, fileIndex) ?? [];
  }

  /** Byte offsets where the file's live readers are (torrents only: a local file is all there). */
  readerOffsets(infoHash: string, fileIndex: number): number[] {
    return this.local.has(infoHash) ? [] : (this.torrents?.readerOffsets(infoHash, fileIndex) ?? []);
  }

  stallReason(infoHash: string): string | null {
    if (this.local.has(infoHash)) return null;
    return this.torrents?.stallReason(infoHash) ?? null;
  }
}
