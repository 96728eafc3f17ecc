/**
 * Local media files given on the command line, as one-file catalog entries. Each gets a stable 40-hex id
 * (a hash of its real path), so the same `/stream/:id/:index` URLs serve them and torrents alike. Their play
 * positions are kept across restarts by that id (local-positions.ts), when the catalog is given a file for
 * them.
 */
import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { LocalFileSource } from '../stream/local-file-source.js';
import type { LocalPositionsFile } from './local-positions.js';
import { mimeOf } from './mime.js';
import { PlayPositions } from './play-positions.js';
import type { CatalogEntry } from './types.js';

interface LocalItem {
  entry: CatalogEntry;
  path: string;
  positions: PlayPositions;
}

export class LocalFiles {
  private readonly items = new Map<string, LocalItem>();

  constructor(private readonly saved?: LocalPositionsFile) {}

  /** Adds a local media file; returns its entry (the same one when added twice). */
  async add(path: string): Promise<CatalogEntry> {
    const real = await realpath(path);
    const info = await stat(real);
    if (!info.isFile()) throw new Error(`${path} is not a file`);
    const infoHash = createHash('sha1').update(`local:${real}`).digest('hex');
    const existing = this.items.get(infoHash);
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
    const positions = new PlayPositions(this.saved?.get(infoHash));
    positions.onChange = () => this.saved?.changed(infoHash, positions.saved());
    this.items.set(infoHash, { entry, path: real, positions });
    return entry;
  }

  get(infoHash: string): CatalogEntry | undefined {
    return this.items.get(infoHash)?.entry;
  }

  positions(infoHash: string): PlayPositions | undefined {
    return this.items.get(infoHash)?.positions;
  }

  list(): CatalogEntry[] {
    return [...this.items.values()].map((item) => item.entry);
  }

  /** Forgets the file (never deletes it: it is the user's own); false when it was not here. */
  forget(infoHash: string): boolean {
    if (!this.items.delete(infoHash)) return false;
    // Its positions go with it, as a removed torrent's do.
    this.saved?.changed(infoHash, undefined);
    return true;
  }

  /** The file's source; undefined when the id or index is not one of ours. */
  async open(infoHash: string, fileIndex: number): Promise<LocalFileSource | undefined> {
    const item = this.items.get(infoHash);
    return item && fileIndex === 0 ? LocalFileSource.open(item.path) : undefined;
  }

  /** Writes the play positions not saved yet. */
  flush(): Promise<void> {
    return this.saved?.flush() ?? Promise.resolve();
  }
}
