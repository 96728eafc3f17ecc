/**
 * The engine's memory across restarts: a small JSON file in the download folder listing each torrent (its
 * .torrent bytes once known, else its magnet), its verified-piece bitfield and when it was last streamed.
 * Written atomically (temp file + rename) and one write at a time, so a crash leaves the old or the new file.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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

  constructor(dir: string) {
    this.path = join(dir, STATE_FILE);
  }

  /** The saved torrents; an absent or unreadable file means none (a corrupt file must not stop the server). */
  async load(): Promise<SavedTorrent[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return [];
    }
    try {
      const state = JSON.parse(text) as Partial<StateFile>;
      if (!Array.isArray(state.torrents)) return [];
      return state.torrents.filter(
        (t): t is SavedTorrent => typeof t?.infoHash === 'string' && /^[0-9a-f]{40}$/.test(t.infoHash),
      );
    } catch {
      return [];
    }
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
    const next = this.writing.then(async () => {
      const tmp = `${this.path}.${process.pid}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, this.path);
    });
    // A failed write must not poison the queue; the caller still sees its own failure.
    this.writing = next.catch(() => {});
    return next;
  }
}

export function savedBitfield(saved: SavedTorrent | undefined): Uint8Array | undefined {
  return saved?.bitfield ? new Uint8Array(Buffer.from(saved.bitfield, 'base64')) : undefined;
}
