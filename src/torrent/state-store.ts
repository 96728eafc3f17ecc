/**
 * The engine's memory across restarts: a small JSON file in the download folder listing each torrent (its
 * .torrent bytes once known, else its magnet), its verified-piece bitfield, when it was last streamed and
 * where players stopped in its files.
 * Written one write at a time through catalog/state-file.ts (temp file, flush, rename, previous generation
 * kept as `.bak`). A file it cannot read is never written over: the backup is loaded instead, loudly.
 */
import { join } from 'node:path';
import type { SavedPositions } from '../catalog/play-positions.js';
import {
  backupPath,
  moveAside,
  readStateFile,
  removeStaleTemps,
  writeStateFile,
} from '../catalog/state-file.js';

export interface SavedTorrent {
  infoHash: string;
  name?: string;
  /** base64 .torrent bytes, when the metadata is known. */
  torrent?: string;
  magnet?: string;
  /** Peer hints to dial again ('host:port', from a magnet's x.pe). */
  peers?: string[];
  /** base64 bitfield of verified pieces: restarts check a sample of it instead of hashing everything. */
  bitfield?: string;
  addedAt: number;
  lastStreamedAt: number;
  /** Its data was evicted by the cache cap; it stays listed but downloads only when streamed. */
  evicted?: boolean;
  /** Where players stopped in its files (catalog/play-positions.ts). */
  positions?: SavedPositions;
}

interface StateFile {
  version: 1;
  torrents: SavedTorrent[];
}

export const STATE_FILE = 'streamtide-state.json';

export class StateStore {
  private readonly path: string;
  private writing: Promise<void> = Promise.resolve();
  /** Saved torrents not open in this run (a one-shot run's library): every save writes them back as they were. */
  private readonly kept = new Map<string, SavedTorrent>();
  /** Why nothing may be written: a file that could not be read could not be moved aside either. */
  private refusal: string | undefined;

  constructor(
    dir: string,
    private readonly warn: (message: string) => void,
  ) {
    this.path = join(dir, STATE_FILE);
  }

  /**
   * The saved torrents: from the state file, else, when it is unreadable, from its backup. Whatever could not
   * be read is moved aside (kept for the user) before anything is written, and said. No state file: none.
   */
  async load(): Promise<SavedTorrent[]> {
    await removeStaleTemps(this.path);
    const main = await this.readOrSetAside(this.path);
    if (main !== 'unreadable') return main ?? [];
    const backup = await this.readOrSetAside(backupPath(this.path));
    if (Array.isArray(backup)) {
      const torrents = `${backup.length} torrent${backup.length === 1 ? '' : 's'}`;
      this.warn(`restored ${torrents} from the backup ${backupPath(this.path)}`);
      return backup;
    }
    this.warn('no readable backup either: starting with no torrents (their data is still on disk)');
    return [];
  }

  /** The torrents in `path`: undefined when there is no file; 'unreadable' (moved aside, warned of). */
  private async readOrSetAside(path: string): Promise<SavedTorrent[] | 'unreadable' | undefined> {
    const read = await readStateFile(path);
    if (read.kind === 'absent') return undefined;
    const torrents = read.kind === 'read' ? savedTorrents(read.value) : undefined;
    if (torrents) return torrents;
    const why = read.kind === 'unreadable' ? read.why : 'it holds no list of torrents';
    try {
      this.warn(`the state file ${path} could not be read (${why}); kept as ${await moveAside(path)}`);
    } catch (err) {
      this.refusal = `${path} could not be read (${why}) nor moved aside (${(err as Error).message})`;
      this.warn(`${this.refusal}: the library will not be saved over it`);
    }
    return 'unreadable';
  }

  keep(torrents: SavedTorrent[]): void {
    for (const torrent of torrents) this.kept.set(torrent.infoHash, torrent);
  }

  /** Takes a kept torrent back, being opened again: from now on it is saved from its live state. */
  take(infoHash: string): SavedTorrent | undefined {
    const torrent = this.kept.get(infoHash);
    this.kept.delete(infoHash);
    return torrent;
  }

  /** Queues a write of `torrents` (and the kept ones); resolves when it (and every earlier one) is on disk. */
  save(live: SavedTorrent[]): Promise<void> {
    const open = new Set(live.map((torrent) => torrent.infoHash));
    const torrents = [...live, ...[...this.kept.values()].filter((t) => !open.has(t.infoHash))];
    const body = `${JSON.stringify({ version: 1, torrents } satisfies StateFile)}\n`;
    const refusal = this.refusal;
    const next = this.writing.then(() =>
      refusal ? Promise.reject(new Error(`not saved: ${refusal}`)) : writeStateFile(this.path, body),
    );
    // A failed write must not poison the queue; the caller still sees its own failure.
    this.writing = next.catch(() => {});
    return next;
  }
}

/** The valid torrents of a parsed state file; undefined when it is not one. */
function savedTorrents(value: unknown): SavedTorrent[] | undefined {
  const torrents = (value as Partial<StateFile> | null)?.torrents;
  if (!Array.isArray(torrents)) return undefined;
  return torrents.filter(
    (t): t is SavedTorrent => typeof t?.infoHash === 'string' && /^[0-9a-f]{40}$/.test(t.infoHash),
  );
}

export function savedBitfield(saved: SavedTorrent | undefined): Uint8Array | undefined {
  return saved?.bitfield ? new Uint8Array(Buffer.from(saved.bitfield, 'base64')) : undefined;
}
