/**
 * The WebVTT subtitle renditions of an HLS file: its embedded text streams (`subtitles-s<stream>`) and the
 * torrent's subtitle files matching it (`subtitles-f<file>`). A track's cues are loaded once and shared
 * by every viewer: a subtitle file is read whole (see subtitle-files.ts); an embedded stream is extracted by one FFmpeg over the
 * whole file, its cues kept as they come, so a segment is answered as soon as the extraction has passed
 * its end rather than once a torrent still downloading is complete.
 */
import { finished } from 'node:stream/promises';
import type { Catalog } from '../catalog/catalog.js';
import { statusError } from '../catalog/status-error.js';
import { matchSubtitleFiles } from '../catalog/subtitle-match.js';
import { CueTrack } from '../stream/hls/cue-track.js';
import { segmentSpan, vttSegment } from '../stream/hls/vtt-segments.js';
import { isImageSubtitle, SubtitleError, SubtitleExtractor } from '../stream/subtitles.js';
import { CueReader } from '../stream/vtt.js';
import type { HlsFile } from './hls-service.js';
import { acquireAll } from './limiter.js';
import type { Ffmpeg, Limits } from './services.js';
import { MAX_SUBTITLE_FILE_BYTES, type SubtitleFiles } from './subtitle-files.js';

/** One rendition as the master playlist lists it. */
export interface SubtitleTrack {
  id: string;
  name: string;
  language: string | null;
  default: boolean;
  forced: boolean;
}

export interface HlsSubtitlesOptions {
  catalog: Pick<Catalog, 'open'>;
  ffmpeg: Ffmpeg;
  limits: Limits;
  subtitleFiles: SubtitleFiles;
}

interface Loading {
  track: CueTrack;
  /** Stops the load (the torrent went, the server closes). */
  abort: AbortController;
  /** Settles once the load has ended and let go of its FFmpeg and source. */
  done: Promise<void>;
}

export class HlsSubtitles {
  /** Keyed `infoHash/file/id`: the cues depend on nothing else (times are the file's own). */
  readonly #loads = new Map<string, Loading>();

  constructor(private readonly options: HlsSubtitlesOptions) {}

  /** Embedded text streams first (image ones cannot be WebVTT), then the matching subtitle files. */
  list(hls: HlsFile): SubtitleTrack[] {
    const embedded = hls.info.streams
      .filter((s) => s.type === 'subtitle' && !isImageSubtitle(s.codec))
      .map((s) => ({
        id: `subtitles-s${s.index}`,
        // No title: the language, else the playlist names it by position.
        name: s.title ?? s.language ?? '',
        language: s.language,
        default: s.default,
        forced: s.forced,
      }));
    const files = matchSubtitleFiles(hls.entry.files, hls.file)
      .filter(
        (m) => (hls.entry.files[m.index]?.length ?? Number.POSITIVE_INFINITY) <= MAX_SUBTITLE_FILE_BYTES,
      )
      .map((m) => ({
        id: `subtitles-f${m.index}`,
        name: m.name,
        language: m.language,
        default: false,
        forced: false,
      }));
    return [...embedded, ...files];
  }

  /** Segment n of rendition `id` as WebVTT, once every cue it may hold is known; 404 for an unknown id. */
  async segment(hls: HlsFile, id: string, n: number, signal?: AbortSignal): Promise<string> {
    if (!this.list(hls).some((t) => t.id === id)) {
      throw statusError(404, `${hls.file.name} has no subtitle rendition ${id}`);
    }
    const { end } = segmentSpan(hls.plan.times, n);
    const cues = await this.#load(hls, id).track.through(end, signal);
    return vttSegment(cues, hls.plan.times, n);
  }

  /** Forgets a torrent's cues and stops their loads. */
  async drop(infoHash: string): Promise<void> {
    await this.#stop([...this.#loads].filter(([key]) => key.startsWith(`${infoHash}/`)));
  }

  async close(): Promise<void> {
    await this.#stop([...this.#loads]);
  }

  async #stop(loads: Array<[string, Loading]>): Promise<void> {
    for (const [key, load] of loads) {
      this.#loads.delete(key);
      load.abort.abort();
    }
    await Promise.all(loads.map(([, load]) => load.done));
  }

  #load(hls: HlsFile, id: string): Loading {
    const key = `${hls.entry.infoHash}/${hls.file.index}/${id}`;
    const existing = this.#loads.get(key);
    if (existing) return existing;
    const track = new CueTrack();
    const abort = new AbortController();
    // `list` vouched for the id: subtitles-s<stream> or subtitles-f<file>.
    const index = Number(id.slice('subtitles-?'.length));
    const loading = id.startsWith('subtitles-s')
      ? this.#extract(hls, index, track, abort.signal)
      : this.#readFile(hls, index, track, abort.signal);
    const done = loading.then(
      () => track.end(),
      (err: unknown) => {
        // Forgotten, so a later request tries again: the torrent may be back, or a process slot free.
        if (this.#loads.get(key)?.track === track) this.#loads.delete(key);
        track.fail(
          abort.signal.aborted
            ? statusError(503, `${id} of ${hls.file.name} stopped: its torrent went or the server is closing`)
            : err,
        );
      },
    );
    const load = { track, abort, done };
    this.#loads.set(key, load);
    return load;
  }

  /** One FFmpeg over the whole file, its cues into `track` as they come out. */
  async #extract(hls: HlsFile, stream: number, track: CueTrack, signal: AbortSignal): Promise<void> {
    const { catalog, ffmpeg, limits } = this.options;
    const release = acquireAll(limits.ffmpegProcesses);
    try {
      const source = await catalog.open(hls.entry.infoHash, hls.file.index);
      try {
        signal.throwIfAborted();
        // startTime 0: cue times are the file's own clock minus its start time, which is playlist time.
        const extractor = SubtitleExtractor.start({
          source,
          tools: ffmpeg.tools,
          seekable: ffmpeg.seekable,
          stream,
        });
        const stop = () => void extractor.stop();
        signal.addEventListener('abort', stop, { once: true });
        const reader = new CueReader();
        extractor.output.setEncoding('utf8');
        extractor.output.on('data', (text: string) => {
          for (const cue of reader.push(text)) track.add(cue);
        });
        // A failed extraction destroys the output with an error; `done` says why.
        const [result] = await Promise.all([
          extractor.done,
          finished(extractor.output).catch(() => undefined),
        ]);
        signal.removeEventListener('abort', stop);
        if (result.outcome === 'complete') {
          for (const cue of reader.end()) track.add(cue);
          return;
        }
        signal.throwIfAborted();
        throw statusError(502, `subtitle stream ${stream}: ${result.error?.message ?? 'FFmpeg failed'}`, {
          stderr: result.error?.stderr ?? [],
        });
      } finally {
        await source.close();
      }
    } finally {
      release();
    }
  }

  /** A subtitle file's cues (subtitle-files.ts: bounded in size, time and number), in time order. */
  async #readFile(hls: HlsFile, index: number, track: CueTrack, signal: AbortSignal): Promise<void> {
    const file = hls.entry.files[index];
    if (!file) throw statusError(404, `${hls.entry.name} has no file ${index}`);
    try {
      const loaded = await this.options.subtitleFiles.load(hls.entry.infoHash, file, signal);
      loaded.release();
      for (const cue of loaded.cues.sort((a, b) => a.start - b.start)) track.add(cue);
    } catch (err) {
      if (!(err instanceof SubtitleError)) throw err;
      throw statusError(502, `${file.name}: ${err.message}`, { stderr: err.stderr });
    }
  }
}
