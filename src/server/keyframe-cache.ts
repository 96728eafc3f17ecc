/**
 * One keyframe-index read per file, shared like the probe: HLS cuts copied video at these keyframes and
 * seeks start at them. The index is read by Range (for a torrent, its pieces are fetched first); a file
 * without a usable index answers null, and so does a malformed one. A failed or aborted read is retried
 * next time.
 *
 * A read started ahead of need (`prefetch`, once a stream plays) fetches its pieces in the background; the
 * first caller to wait on it replaces it with a read of its own, whose pieces are fetched first.
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

type Opened = { entry: CatalogEntry; file: CatalogFile };
type Container = { formatName: string };

interface Reading {
  pending: Promise<KeyframeIndex | null>;
  /** Set while a background read is under way: aborting it ends that read. */
  background?: AbortController;
}

export class KeyframeCache {
  private readonly indexes = new Map<string, Reading>();

  constructor(private readonly catalog: Catalog) {}

  /**
   * The index of the file's first video track; this request stops waiting when `signal` aborts. The
   * container is the probe's format name — or the file name's extension, to start reading the index
   * while the probe runs (a torrent then fetches the index's pieces and the head's at once).
   */
  async index(opened: Opened, container: Container, signal?: AbortSignal): Promise<KeyframeIndex | null> {
    const key = keyOf(opened, container);
    if (!key) return null;
    let reading = this.indexes.get(key);
    if (!reading || reading.background) {
      // Someone waits now: the background read (its pieces taken in turn with others') gives way.
      reading?.background?.abort();
      reading = this.start(key, opened);
    }
    return untilAborted(reading.pending, signal);
  }

  /** Starts reading the index in the background, unless it is known or being read; never rejects. */
  prefetch(opened: Opened, container: Container): void {
    const key = keyOf(opened, container);
    if (!key || this.indexes.has(key)) return;
    this.start(key, opened, new AbortController()).pending.catch(() => undefined);
  }

  /** Drops what is known of an entry's files (it was removed). */
  forget(infoHash: string): void {
    for (const [key, reading] of this.indexes) {
      if (!key.startsWith(`${infoHash}/`)) continue;
      reading.background?.abort();
      this.indexes.delete(key);
    }
  }

  private start(key: string, opened: Opened, background?: AbortController): Reading {
    const family = key.slice(key.lastIndexOf('/') + 1);
    const reading: Reading = {
      pending: this.readOnce(opened.entry.infoHash, opened.file.index, family, background?.signal),
    };
    if (background) reading.background = background;
    this.indexes.set(key, reading);
    reading.pending.then(
      () => delete reading.background,
      () => this.indexes.get(key) === reading && this.indexes.delete(key),
    );
    return reading;
  }

  /** With a source of its own, as the probe: one client leaving must not fail another waiting. */
  private async readOnce(
    infoHash: string,
    index: number,
    container: string,
    background?: AbortSignal,
  ): Promise<KeyframeIndex | null> {
    const source = await this.catalog.open(infoHash, index);
    const options = background ? { signal: background, background: true } : {};
    try {
      return await readKeyframes(
        (offset, length) => source.read(offset, length, options),
        source.size,
        container,
        { signal: background },
      );
    } catch (err) {
      if (err instanceof KeyframeIndexError) return null;
      throw err;
    } finally {
      await source.close();
    }
  }
}

function keyOf(opened: Opened, container: Container): string | null {
  const family = indexFamily(container.formatName);
  return family && `${opened.entry.infoHash}/${opened.file.index}/${family}`;
}
