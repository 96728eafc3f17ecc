/**
 * One keyframe-index read per file, shared like the probe: HLS cuts copied video at these keyframes and
 * seeks start at them. The index is read by Range (for a torrent, its pieces are fetched first); a file
 * without a usable index answers null, and so does a malformed one. A failed or aborted read is retried
 * next time.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { CatalogEntry, CatalogFile } from '../catalog/types.js';
import { untilAborted } from '../stream/abort.js';
import {
  indexFamily,
  type KeyframeIndex,
  KeyframeIndexError,
  readKeyframes,
} from '../stream/keyframes/index.js';

export class KeyframeCache {
  private readonly indexes = new Map<string, Promise<KeyframeIndex | null>>();

  constructor(private readonly catalog: Catalog) {}

  /**
   * The index of the file's first video track; this request stops waiting when `signal` aborts. The
   * container is the probe's format name — or the file name's extension, to start reading the index
   * while the probe runs (a torrent then fetches the index's pieces and the head's at once).
   */
  async index(
    opened: { entry: CatalogEntry; file: CatalogFile },
    container: { formatName: string },
    signal?: AbortSignal,
  ): Promise<KeyframeIndex | null> {
    const family = indexFamily(container.formatName);
    if (!family) return null;
    const key = `${opened.entry.infoHash}/${opened.file.index}/${family}`;
    let pending = this.indexes.get(key);
    if (!pending) {
      pending = this.readOnce(opened.entry.infoHash, opened.file.index, family);
      this.indexes.set(key, pending);
      pending.catch(() => this.indexes.delete(key));
    }
    return untilAborted(pending, signal);
  }

  /** Drops what is known of an entry's files (it was removed). */
  forget(infoHash: string): void {
    for (const key of this.indexes.keys()) if (key.startsWith(`${infoHash}/`)) this.indexes.delete(key);
  }

  /** With a source of its own, as the probe: one client leaving must not fail another waiting. */
  private async readOnce(infoHash: string, index: number, container: string): Promise<KeyframeIndex | null> {
    const source = await this.catalog.open(infoHash, index);
    try {
      return await readKeyframes((offset, length) => source.read(offset, length), source.size, container);
    } catch (err) {
      if (err instanceof KeyframeIndexError) return null;
      throw err;
    } finally {
      await source.close();
    }
  }
}
