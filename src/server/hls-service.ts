/**
 * HLS for the routes: a file's HLS plan for a client (probe, keyframe index, caps) and its renditions,
 * each shared by every viewer whose plan names it. A rendition's segments live on disk under a directory
 * named after everything that decides their bytes (the cut times, the track's treatment, the FFmpeg), so
 * viewers — and runs of the server — with the same plan share them, and different plans never mix.
 * Subtitle renditions are WebVTT made from cues (hls-subtitles.ts), the same for every plan.
 */
import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { extensionOf } from '../catalog/mime.js';
import { statusError } from '../catalog/status-error.js';
import type { CatalogEntry, CatalogFile } from '../catalog/types.js';
import { parseCaps } from '../stream/client-caps.js';
import type { DataSource } from '../stream/data-source.js';
import { FfmpegJob } from '../stream/ffmpeg-job.js';
import { type HlsAudio, type HlsPlan, planHls, renditionOf, wantsKeyframes } from '../stream/hls/hls-plan.js';
import { Rendition } from '../stream/hls/rendition.js';
import { MAX_RUN_SEGMENTS, type RenditionTrack, segmentArgs } from '../stream/hls/segment-args.js';
import { SegmentStore } from '../stream/hls/segment-store.js';
import type { KeyframeIndex } from '../stream/keyframes/index.js';
import { type MediaInfo, openOptions } from '../stream/media-info.js';
import { withoutServiceNames } from '../stream/ts-service-filter.js';
import { prefetchRun } from './hls-prefetch.js';
import { HlsSlots } from './hls-slots.js';
import { HlsSubtitles, type HlsSubtitlesOptions, type SubtitleTrack } from './hls-subtitles.js';
import type { KeyframeCache } from './keyframe-cache.js';
import type { ProbeCache } from './probe-cache.js';

export interface HlsFile {
  entry: CatalogEntry;
  file: CatalogFile;
  info: MediaInfo;
  plan: HlsPlan;
  /** The video's keyframe index, when the plan read one. */
  keyframes: KeyframeIndex | null;
}

export interface HlsServiceOptions extends HlsSubtitlesOptions {
  catalog: Catalog;
  probes: ProbeCache;
  keyframes: KeyframeCache;
  /** Where segments are kept; one directory per torrent under it. */
  cacheDir: string;
}

interface OpenRendition {
  rendition: Rendition;
  source: DataSource;
}

export class HlsService {
  readonly #subtitles: HlsSubtitles;
  readonly #renditions = new Map<string, Promise<OpenRendition>>();
  /** The last segment asked of each file (`infoHash/index`), for part(). */
  readonly #asked = new Map<string, number>();
  /** FFmpeg slots of the runs; runs nobody waits on give theirs up to requests waiting for one. */
  readonly #slots: HlsSlots;
  /** The same, once open: what bytesOf counts. */
  readonly #opened = new Map<string, OpenRendition>();

  constructor(private readonly options: HlsServiceOptions) {
    this.#subtitles = new HlsSubtitles(options);
    this.#slots = new HlsSlots(options.limits, () =>
      [...this.#opened.values()].flatMap((open) => open.rendition.spareRuns()),
    );
  }

  /** The file and its HLS plan for a client with `caps` whose default audio is `audio`. */
  async file(
    infoHash: string,
    index: number,
    request: { caps?: string; audio?: number },
    signal?: AbortSignal,
  ): Promise<HlsFile> {
    const { catalog, probes, keyframes } = this.options;
    const { entry, file } = await catalog.file(infoHash, index, signal);
    // The index (often at the file's end) is read while the probe reads the head, guessing the container
    // from the name; it is used only when copied video could use it: an encode cuts at fixed times.
    const early = keyframes.index({ entry, file }, { formatName: extensionOf(file.name) }, signal);
    early.catch(() => undefined);
    const info = await probes.probe({ entry, file }, signal);
    // Without caps, the baseline client: HLS players (TVs, Chromecast, Safari given a URL) send none, and a
    // stream they cannot decode is worse than one encoded for them. The web player sends its own.
    const caps = parseCaps(request.caps ?? '');
    const found = wantsKeyframes(info, caps) ? await keyframes.index({ entry, file }, info, signal) : null;
    const plan = planHls(info, { caps, audio: request.audio, keyframes: found });
    return { entry, file, info, plan, keyframes: found };
  }

  /** What rendition `id` of the file's plan holds; a 404 when the plan has no such rendition. */
  track(hls: HlsFile, id: string): RenditionTrack {
    const track = renditionOf(hls.plan, id);
    if (!track) throw statusError(404, `${hls.file.name} has no HLS rendition ${id} for this client`);
    return track;
  }

  /** The rendition `id` of the file's plan, opened (its store and source) on first use. */
  async rendition(hls: HlsFile, id: string): Promise<Rendition> {
    const track = this.track(hls, id);
    const key = this.#key(hls, id, track);
    let open = this.#renditions.get(key);
    if (!open) {
      open = this.#open(hls, track, key);
      this.#renditions.set(key, open);
      open.then(
        (opened) => this.#opened.set(key, opened),
        () => this.#renditions.delete(key),
      );
    }
    return (await open).rendition;
  }

  /** The file's WebVTT subtitle renditions: its text streams, then the torrent's matching subtitle files. */
  subtitles(hls: HlsFile): SubtitleTrack[] {
    return this.#subtitles.list(hls);
  }

  /** Segment n of subtitle rendition `id` as WebVTT (404 when the file has no such rendition). */
  subtitleSegment(hls: HlsFile, id: string, n: number, signal?: AbortSignal): Promise<string> {
    return this.#subtitles.segment(hls, id, n, signal);
  }

  /**
   * The path of a rendition's init segment or segment `part`. An init starts its run where the file was last
   * asked: a player seeking far on start asks the video's init and segment, then the audio's init. A run
   * that finds no FFmpeg slot waits briefly for one (hls-slots.ts), then answers 503.
   */
  async part(hls: HlsFile, id: string, part: 'init' | number, signal?: AbortSignal): Promise<string> {
    const rendition = await this.rendition(hls, id);
    const file = `${hls.entry.infoHash}/${hls.file.index}`;
    const encoded = isEncoded(this.track(hls, id));
    if (part === 'init') {
      return this.#slots.serve(encoded, signal, () => rendition.init(signal, this.#asked.get(file)));
    }
    this.#asked.set(file, part);
    return this.#slots.serve(encoded, signal, () => rendition.segment(part, signal));
  }

  /** Encoder runs going on for a file (all its renditions): what "one FFmpeg per rendition" counts. */
  async encoders(infoHash: string, index: number): Promise<number> {
    const prefix = `${infoHash}/${index}/`;
    const open = await Promise.all(
      [...this.#renditions].filter(([k]) => k.startsWith(prefix)).map(([, r]) => r),
    );
    return open.reduce((n, r) => n + r.rendition.encoders, 0);
  }

  /** Stops a torrent's renditions and deletes its segments (it was removed or evicted). */
  async drop(infoHash: string): Promise<void> {
    await this.#subtitles.drop(infoHash);
    const mine = [...this.#renditions].filter(([key]) => key.startsWith(`${infoHash}/`));
    for (const key of this.#asked.keys()) if (key.startsWith(`${infoHash}/`)) this.#asked.delete(key);
    for (const [key] of mine) {
      this.#renditions.delete(key);
      this.#opened.delete(key);
    }
    await Promise.all(mine.map(([, open]) => open.then(closeRendition, () => undefined)));
    await rm(join(this.options.cacheDir, infoHash), { recursive: true, force: true });
  }

  /** Bytes of segments kept for a torrent: counted under the cache cap with its data. */
  bytesOf(infoHash: string): number {
    const mine = [...this.#opened].filter(([key]) => key.startsWith(`${infoHash}/`));
    return mine.reduce((bytes, [, open]) => bytes + open.rendition.store.bytes, 0);
  }

  /** Deletes segments kept for torrents no longer listed (removed while the server was down). */
  async prune(listed: ReadonlySet<string>): Promise<void> {
    const dirs = await readdir(this.options.cacheDir).catch(() => []);
    await Promise.all(
      dirs
        .filter((d) => !listed.has(d))
        .map((d) => rm(join(this.options.cacheDir, d), { recursive: true, force: true })),
    );
  }

  async close(): Promise<void> {
    await this.#subtitles.close();
    const all = [...this.#renditions.values()];
    this.#renditions.clear();
    this.#opened.clear();
    await Promise.all(all.map((open) => open.then(closeRendition, () => undefined)));
  }

  #key(hls: HlsFile, id: string, track: RenditionTrack): string {
    const decided = JSON.stringify([
      hls.plan.times.starts,
      hls.plan.startTime,
      bytesOf(track),
      this.options.ffmpeg.tools.ffmpeg,
    ]);
    const hash = createHash('sha256').update(decided).digest('hex').slice(0, 16);
    return `${hls.entry.infoHash}/${hls.file.index}/${id}-${hash}`;
  }

  async #open(hls: HlsFile, track: RenditionTrack, key: string): Promise<OpenRendition> {
    const { catalog, ffmpeg, cacheDir } = this.options;
    const store = await SegmentStore.open(join(cacheDir, key));
    const hints = openOptions(hls.info, hls.file.length);
    const opened = await catalog.open(hls.entry.infoHash, hls.file.index, hints);
    const layout = hls.info.tsLayout;
    const source = layout ? withoutServiceNames(opened, layout) : opened;
    const encoded = isEncoded(track);
    const { plan } = hls;
    const rendition = new Rendition({
      store,
      times: plan.times,
      ...(encoded ? { runLength: MAX_RUN_SEGMENTS } : {}),
      startProcess: (first, until) => {
        const run = { starts: plan.times.starts, first, until, startTime: plan.startTime };
        const job = this.#slots.start(encoded, () =>
          FfmpegJob.start({
            binary: ffmpeg.tools.ffmpeg,
            input: { kind: 'seekable', source, server: ffmpeg.seekable },
            args: (url) => segmentArgs(track, run, url),
          }),
        );
        const running = new AbortController();
        prefetchRun(catalog, hls, source, first, running.signal);
        void job.done.finally(() => running.abort());
        return job;
      },
      onSpare: () => this.options.limits.queue.serve(),
    });
    return { rendition, source };
  }
}

/**
 * What of a track decides its segments' bytes: not how the master playlist presents an audio rendition
 * (default, name, language), so viewers who chose another default audio share it.
 */
function bytesOf(track: RenditionTrack): RenditionTrack | Omit<HlsAudio, 'default' | 'name' | 'language'> {
  if ('video' in track) return track;
  const { default: _default, name: _name, language: _language, ...audio } = track.audio;
  return audio;
}

/** Whether a rendition's runs encode video: they hold a transcode slot too. */
function isEncoded(track: RenditionTrack): boolean {
  return 'video' in track && track.video.id === 'video-h264';
}

async function closeRendition(open: OpenRendition): Promise<void> {
  await open.rendition.close();
  await open.source.close();
}
