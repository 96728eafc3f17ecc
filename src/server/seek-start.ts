/**
 * The start of a progressive seek (a plan starting at t > 0), decided before FFmpeg runs. Copied video
 * starts exactly at the keyframe at or before t, from the file's keyframe index.
 */
import type { CatalogEntry, CatalogFile } from '../catalog/types.js';
import type { MediaInfo } from '../stream/media-info.js';
import type { Plan } from '../stream/plan.js';
import { keyframeAtOrBefore, startAtKeyframe } from '../stream/seek-point.js';
import type { KeyframeCache } from './keyframe-cache.js';

export interface SeekStartOptions {
  keyframes: KeyframeCache;
  opened: { entry: CatalogEntry; file: CatalogFile };
  info: MediaInfo;
  plan: Plan;
  /** The stream's: ends the wait. */
  signal: AbortSignal;
}

/** The plan to run: started at the keyframe when its video is copied and the file has an index. */
export async function startSeek(options: SeekStartOptions): Promise<Plan> {
  const { plan, info, signal } = options;
  const t = plan.input.kind === 'seekable' ? plan.input.startTime : 0;
  if (t <= 0) return plan;
  if (plan.video?.action !== 'copy') return plan;
  const index = await options.keyframes.index(options.opened, info, signal).catch((err: unknown) => {
    if (signal.aborted) throw err;
    return null; // an index that cannot be read: the seek works as without one
  });
  const point = index && keyframeAtOrBefore(index, t, info.startTime);
  return point ? startAtKeyframe(plan, point, info) : plan;
}
