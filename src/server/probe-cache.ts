/**
 * One ffprobe per file, shared: concurrent requests for a file wait on the same probe, a later one gets its
 * result at once, and "not media" is remembered (415). A failed or aborted probe is tried again next time.
 */
import type { Catalog } from '../catalog/catalog.js';
import { statusError } from '../catalog/status-error.js';
import type { CatalogEntry, CatalogFile } from '../catalog/types.js';
import { untilAborted } from '../stream/abort.js';
import type { FfmpegTools } from '../stream/ffmpeg-locate.js';
import { type MediaInfo, NotMediaError, probeSource } from '../stream/media-info.js';
import type { SeekableInputServer } from '../stream/seekable-input.js';

export class ProbeCache {
  private readonly probes = new Map<string, Promise<MediaInfo>>();
  /** Probes that succeeded, readable without waiting (listings show a duration only when known). */
  private readonly done = new Map<string, MediaInfo>();

  constructor(
    private readonly catalog: Catalog,
    private readonly tools: FfmpegTools,
    private readonly seekable: SeekableInputServer,
  ) {}

  /** The file's MediaInfo; this request stops waiting (AbortError) when `signal` aborts, the probe goes on. */
  async probe(opened: { entry: CatalogEntry; file: CatalogFile }, signal?: AbortSignal): Promise<MediaInfo> {
    const key = `${opened.entry.infoHash}/${opened.file.index}`;
    let pending = this.probes.get(key);
    if (!pending) {
      pending = this.probeOnce(opened.entry.infoHash, opened.file.index);
      this.probes.set(key, pending);
      pending.then(
        (info) => {
          if (this.probes.get(key) === pending) this.done.set(key, info);
        },
        (err) => {
          if (!(err instanceof NotMediaError)) this.probes.delete(key);
        },
      );
    }
    try {
      return await untilAborted(pending, signal);
    } catch (err) {
      if (err instanceof NotMediaError) {
        throw statusError(415, `${opened.file.name} is not a playable media file`);
      }
      throw err;
    }
  }

  /** The file's MediaInfo if a probe already found it; never starts one. */
  known(infoHash: string, index: number): MediaInfo | undefined {
    return this.done.get(`${infoHash}/${index}`);
  }

  /** Drops what is known of an entry's files (it was removed). */
  forget(infoHash: string): void {
    for (const map of [this.probes, this.done]) {
      for (const key of map.keys()) if (key.startsWith(`${infoHash}/`)) map.delete(key);
    }
  }

  /** With a source of its own: one client leaving must not fail another waiting on the same probe. */
  private async probeOnce(infoHash: string, index: number): Promise<MediaInfo> {
    const source = await this.catalog.open(infoHash, index);
    try {
      return await probeSource(source, this.tools, { seekable: this.seekable });
    } finally {
      await source.close();
    }
  }
}
