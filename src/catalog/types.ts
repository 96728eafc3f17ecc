/**
 * What the HTTP layer sees of anything it can stream: a torrent (src/torrent) or a local file
 * (src/catalog/library.ts). The shapes are the torrent object of docs/api.md minus the URLs,
 * which only the server knows how to build.
 */
import type { DataSource } from '../stream/data-source.js';

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

export interface Catalog {
  get(infoHash: string): CatalogEntry | undefined;
  list(): CatalogEntry[];
  /** A DataSource for one file; undefined when the entry or index is unknown or metadata is missing. */
  openSource(infoHash: string, fileIndex: number): DataSource | undefined;
}
