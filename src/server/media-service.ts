/**
 * The glue between the catalog and the streaming core for one request: find the file, open its DataSource,
 * probe it once (cached per file), and plan. Errors carry HTTP-minded codes the routes turn into statuses.
 */
import type { Library } from '../catalog/library.js';
import { statusError } from '../catalog/status-error.js';
import type { CatalogEntry, CatalogFile } from '../catalog/types.js';
import { untilAborted } from '../stream/abort.js';
import type { DataSource } from '../stream/data-source.js';
import type { FfmpegTools } from '../stream/ffmpeg-locate.js';
import { type MediaInfo, NotMediaError, probeSource } from '../stream/media-info.js';
import type { SeekableInputServer } from '../stream/seekable-input.js';

export class MediaService {
  private readonly probes = new Map<string, Promise<MediaInfo>>();

  constructor(
    readonly library: Library,
    readonly tools: FfmpegTools,
    readonly seekable: SeekableInputServer,
  ) {}

  /** The entry and file, waiting for a torrent's metadata while the client is still there. */
  async file(
    infoHash: string,
    index: number,
    signal?: AbortSignal,
  ): Promise<{ entry: CatalogEntry; file: CatalogFile }> {
    this.assertWorking(infoHash);
    const entry = await this.library.whenReady(infoHash.toLowerCase(), signal);
    if (!entry) throw statusError(404, `Unknown torrent ${infoHash}`);
    const file = entry.files[index];
    if (!file) throw statusError(404, `Torrent ${entry.infoHash} has no file ${index}`);
    return { entry, file };
  }

  /** A DataSource for the file: 503 with the reason when its torrent stopped (e.g. a full disk), else 404. */
  async source(infoHash: string, index: number): Promise<DataSource> {
    const source = await this.library.openSource(infoHash, index);
    if (source) return source;
    this.assertWorking(infoHash);
    throw statusError(404, `Torrent ${infoHash} has no file ${index}`);
  }

  private assertWorking(infoHash: string): void {
    const failed = this.library.get(infoHash.toLowerCase())?.error;
    if (failed) throw statusError(503, `Torrent ${infoHash} stopped: ${failed}`);
  }

  /**
   * Probes the file's head once; later calls share the result. The probe has a source of its own, so one
   * client leaving does not fail another waiting on the same probe. Non-media answers 415.
   */
  async probe(opened: { entry: CatalogEntry; file: CatalogFile }, signal?: AbortSignal): Promise<MediaInfo> {
    const key = `${opened.entry.infoHash}/${opened.file.index}`;
    let pending = this.probes.get(key);
    if (!pending) {
      pending = this.probeOnce(opened.entry.infoHash, opened.file.index);
      this.probes.set(key, pending);
      // A failed or aborted probe is retried by the next request; "not media" is a fact worth keeping.
      pending.catch((err) => {
        if (!(err instanceof NotMediaError)) this.probes.delete(key);
      });
    }
    try {
      // The shared probe goes on for the next viewer; this request stops waiting when its client leaves.
      return await untilAborted(pending, signal);
    } catch (err) {
      if (err instanceof NotMediaError) {
        throw statusError(415, `${opened.file.name} is not a playable media file`);
      }
      throw err;
    }
  }

  private async probeOnce(infoHash: string, index: number): Promise<MediaInfo> {
    const source = await this.source(infoHash, index);
    try {
      return await probeSource(source, this.tools, { seekable: this.seekable });
    } finally {
      await source.close();
    }
  }

  forget(infoHash: string): void {
    for (const key of this.probes.keys()) if (key.startsWith(`${infoHash}/`)) this.probes.delete(key);
  }
}
