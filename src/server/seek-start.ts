/**
 * The start of a progressive seek (a plan starting at t > 0), decided before FFmpeg runs. Copied video
 * starts exactly at the keyframe at or before t, from the file's keyframe index. And for a file not yet
 * on disk (a torrent still downloading), the two regions FFmpeg reads first are fetched side by side:
 * the index (the shared index read) and the target (estimated by bitrate until the index says where
 * the keyframe is; the guess in the background, so that it never holds up the index). Left to itself
 * FFmpeg reads the index, then the target, one after the other.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Catalog } from '../catalog/catalog.js';
import type { CatalogEntry, CatalogFile } from '../catalog/types.js';
import type { DataSource } from '../stream/data-source.js';
import type { KeyframeIndex } from '../stream/keyframes/index.js';
import type { MediaInfo } from '../stream/media-info.js';
import type { Plan } from '../stream/plan.js';
import { prefetch } from '../stream/prefetch.js';
import {
  type ByteRegion,
  estimatedRegion,
  keyframeAtOrBefore,
  startAtKeyframe,
  targetRegion,
} from '../stream/seek-point.js';
import type { KeyframeCache } from './keyframe-cache.js';

export interface SeekStartOptions {
  catalog: Catalog;
  keyframes: KeyframeCache;
  opened: { entry: CatalogEntry; file: CatalogFile };
  info: MediaInfo;
  plan: Plan;
  /** The stream's own source; the prefetches read through it. */
  source: DataSource;
  /** The stream's: ends the wait and the prefetches. */
  signal: AbortSignal;
  /** Fetch ahead: a GET streams, a HEAD only needs the start time. */
  prefetch: boolean;
}

/** The plan to run: started at the keyframe when its video is copied and the file has an index. */
export async function startSeek(options: SeekStartOptions): Promise<Plan> {
  const { plan, info, signal } = options;
  const t = plan.input.kind === 'seekable' ? plan.input.startTime : 0;
  if (t <= 0) return plan;
  const exact = plan.video?.action === 'copy';
  const fetching =
    options.prefetch && !onDisk(options.catalog, options.opened, { offset: 0, length: options.source.size });
  if (!exact && !fetching) return plan;
  // Started now whether or not the stream waits for it: for a transcode this is the index prefetch.
  const indexed = options.keyframes.index(options.opened, info, signal).catch((err: unknown) => {
    if (signal.aborted) throw err;
    return null; // an index that cannot be read: the seek works as without one
  });
  if (fetching) void fetchTarget(options, t, indexed);
  if (!exact) return plan;
  const index = await indexed;
  const point = index && keyframeAtOrBefore(index, t, info.startTime);
  return point ? startAtKeyframe(plan, point, info) : plan;
}

/**
 * Prefetches the target: where the index says, or, while the index is still being read, the estimate,
 * given up once the index says better.
 */
async function fetchTarget(
  options: SeekStartOptions,
  t: number,
  indexed: Promise<KeyframeIndex | null>,
): Promise<void> {
  const { info, signal, source } = options;
  // A cached index answers before the event loop turns: then there is nothing to guess.
  const known = await Promise.race([indexed, nextTurn().then(() => undefined)]).catch(() => null);
  if (signal.aborted) return;
  // The guess ends with the stream, or once the index says where the target is.
  const guess = new AbortController();
  signal.addEventListener('abort', () => guess.abort(), { once: true });
  if (known === undefined) {
    const estimate = estimatedRegion(source.size, t, info.duration);
    // Only a guess: its pieces must not hold up the index's, which the seek waits for.
    if (estimate) fetchRegion(options, estimate, guess.signal, true);
  }
  const index = known === undefined ? await indexed.catch(() => null) : known;
  const point = index && keyframeAtOrBefore(index, t, info.startTime);
  const target = point && targetRegion(point, source.size);
  if (!target || signal.aborted) return;
  guess.abort();
  fetchRegion(options, target, signal);
}

function fetchRegion(
  options: SeekStartOptions,
  region: ByteRegion,
  signal: AbortSignal,
  background = false,
): void {
  if (!onDisk(options.catalog, options.opened, region))
    prefetch(options.source, region.offset, region.length, signal, { background });
}

/** Whether the region of a file is downloaded already (a local file always is). */
export function onDisk(
  catalog: Catalog,
  opened: { entry: CatalogEntry; file: CatalogFile },
  region: ByteRegion,
): boolean {
  const end = region.offset + region.length;
  return catalog
    .fileRanges(opened.entry.infoHash, opened.file.index)
    .some(([from, to]) => from <= region.offset && to >= end);
}
