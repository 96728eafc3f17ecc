/**
 * What the HTTP layer sees of anything it can stream: a torrent (src/torrent) or a local file
 * (src/catalog/local-files.ts). The shapes are the torrent object of docs/api.md minus the URLs,
 * which only the server knows how to build.
 */
import type { DataSource, OpenOptions } from '../stream/data-source.js';
import type { PlayPositions } from './play-positions.js';

export interface CatalogFile {
  index: number;
  name: string;
  /** Path inside the torrent (forward slashes), never an absolute path on disk. */
  path: string;
  length: number;
  progress: number;
  mime: string;
}

export interface CatalogEntry {
  infoHash: string;
  name: string;
  ready: boolean;
  length: number;
  progress: number;
  downloadSpeed: number;
  uploadSpeed: number;
  numPeers: number;
  files: CatalogFile[];
  /** Why the torrent stopped (e.g. the disk is full); absent while it works. */
  error?: string;
}

/**
 * What the Catalog needs from the torrent side; TorrentEngine has it under these names. Info-hashes are
 * lowercase: they are normalised where they come in (HTTP params, user input).
 */
export interface Torrents {
  add(
    input: string | Uint8Array,
    opts?: { signal?: AbortSignal },
  ): Promise<{ entry: CatalogEntry; created: boolean }>;
  get(infoHash: string): CatalogEntry | undefined;
  list(): CatalogEntry[];
  remove(infoHash: string, opts?: { deleteFiles?: boolean }): Promise<boolean>;
  /** The entry once its metadata is in; rejects for an unknown or stopped torrent, or when `signal` aborts. */
  waitForMetadata(infoHash: string, signal?: AbortSignal): Promise<CatalogEntry>;
  /** A DataSource for one file; undefined when the torrent or index is unknown or metadata is missing. */
  open(infoHash: string, fileIndex: number, options?: OpenOptions): DataSource | undefined;
  fileRanges(infoHash: string, fileIndex: number): Array<[number, number]>;
  readerOffsets(infoHash: string, fileIndex: number): number[];
  stallReason(infoHash: string): string | null;
  /** Where players stopped in the torrent's files (kept across restarts); undefined for an unknown torrent. */
  positions(infoHash: string): PlayPositions | undefined;
  /** Bytes downloaded and uploaded since the engine started, over every torrent it held. */
  readonly totals: { readonly downloaded: number; readonly uploaded: number };
}
