/**
 * A far HLS run over a torrent still downloading: FFmpeg reads the container's index, then the segment's
 * start. The index is already read (the plan needed it), so the target is fetched at once, where the
 * index says the keyframe's data starts, or guessed by bitrate when it does not say.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { DataSource } from '../stream/data-source.js';
import { prefetch } from '../stream/prefetch.js';
import { estimatedRegion, keyframeAtOrBefore, targetRegion } from '../stream/seek-point.js';
import type { HlsFile } from './hls-service.js';
import { onDisk } from './seek-start.js';

export function prefetchRun(
  catalog: Catalog,
  hls: HlsFile,
  source: DataSource,
  first: number,
  signal: AbortSignal,
): void {
  const t = hls.plan.times.starts[first] ?? 0;
  if (t <= 0) return;
  const point = hls.keyframes && keyframeAtOrBefore(hls.keyframes, t, hls.info.startTime);
  const region =
    (point && targetRegion(point, source.size)) ?? estimatedRegion(source.size, t, hls.info.duration);
  if (region && !onDisk(catalog, hls, region)) prefetch(source, region.offset, region.length, signal);
}
