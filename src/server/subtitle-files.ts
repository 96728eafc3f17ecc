/**
 * Subtitle files made cues, for /subtitles and the HLS renditions alike. A hostile file (16 MB of text, or
 * megabytes on one line that keep FFmpeg busy for minutes) must cost little and briefly: a file is read
 * whole only up to MAX_SUBTITLE_FILE_BYTES, at most `limits.subtitleFiles` are converted at once (those
 * going through FFmpeg counted among its processes too), each within `timeoutMs`, and one whose caller
 * leaves stops. A torrent still fetching the file is waited for before a slot is taken, holding nothing.
 */
import type { Catalog } from '../catalog/catalog.js';
import { extensionOf } from '../catalog/mime.js';
import { statusError } from '../catalog/status-error.js';
import type { CatalogFile } from '../catalog/types.js';
import type { DataSource } from '../stream/data-source.js';
import type { FfmpegTools } from '../stream/ffmpeg-locate.js';
import { type SubtitleFileCues, type SubtitleFileFormat, subtitleFileCues } from '../stream/subtitle-file.js';
import { SubtitleError } from '../stream/subtitles.js';
import { acquireAll } from './limiter.js';
import type { Limits } from './services.js';

/** Real subtitle files are well under a megabyte; an .ass with pictures drawn in it can reach a few. */
export const MAX_SUBTITLE_FILE_BYTES = 16 * 1024 * 1024;
/** Real files convert in well under a second. */
export const DEFAULT_SUBTITLE_TIMEOUT_MS = 30_000;
/** What waiting for a file still downloading reads (and drops) at a time. */
const WAIT_SLICE_BYTES = 1024 * 1024;

export interface SubtitleFilesOptions {
  catalog: Pick<Catalog, 'open'>;
  tools: FfmpegTools;
  limits: Limits;
  timeoutMs?: number;
}

export interface LoadedSubtitles extends SubtitleFileCues {
  /** Aborts at the job's time bound: sending the cues is part of the job. */
  deadline: AbortSignal;
  /** Gives the slot back (idempotent); until then the job counts. */
  release(): void;
}

export class SubtitleFiles {
  readonly timeoutMs: number;

  constructor(private readonly options: SubtitleFilesOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SUBTITLE_TIMEOUT_MS;
  }

  /** 413 for a file too large to be read whole. */
  check(file: CatalogFile): void {
    if (file.length > MAX_SUBTITLE_FILE_BYTES) {
      throw statusError(
        413,
        `${file.name} is too large for a subtitle file (${file.length} bytes; at most ${MAX_SUBTITLE_FILE_BYTES})`,
      );
    }
  }

  /**
   * The cues of subtitle file `file` of `infoHash`, holding a slot until `release` (503 when none is free).
   * Past the time bound: a SubtitleError; `signal` aborting: its AbortError.
   */
  async load(infoHash: string, file: CatalogFile, signal: AbortSignal): Promise<LoadedSubtitles> {
    this.check(file);
    const { catalog, limits, tools } = this.options;
    const format = extensionOf(file.name) as SubtitleFileFormat;
    const source = await catalog.open(infoHash, file.index);
    let release: () => void = () => undefined;
    let deadline: AbortSignal | undefined;
    try {
      if (file.progress < 1) await downloaded(source, signal);
      deadline = AbortSignal.timeout(this.timeoutMs);
      release =
        format === 'vtt'
          ? acquireAll(limits.subtitleFiles)
          : acquireAll(limits.subtitleFiles, limits.ffmpegProcesses);
      const bounded = AbortSignal.any([signal, deadline]);
      const bytes = await source.read(0, source.size, { signal: bounded });
      return { ...(await subtitleFileCues(bytes, format, tools, bounded)), deadline, release };
    } catch (err) {
      release();
      if (deadline?.aborted && !signal.aborted) {
        throw new SubtitleError(`not converted within ${this.timeoutMs / 1000} s`);
      }
      throw err;
    } finally {
      await source.close();
    }
  }
}

/** Resolves once all of `source` is there, reading a slice at a time and keeping none. */
async function downloaded(source: DataSource, signal: AbortSignal): Promise<void> {
  for (let at = 0; at < source.size; at += WAIT_SLICE_BYTES) {
    await source.read(at, WAIT_SLICE_BYTES, { signal });
  }
}
