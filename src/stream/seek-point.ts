/**
 * Where a seek starts and which bytes it needs first. Copied video can only start at a keyframe, so an
 * exact seek starts at the one at or before the asked time, taken from the file's keyframe index: the
 * picture is never frozen up to the next keyframe, and audio starts with it. Times here are the file's
 * own timeline (`t`'s: seconds from the file's start, as FFmpeg's -ss counts), the index's are source
 * presentation times: `MediaInfo.startTime` apart.
 */
import type { KeyframeIndex } from './keyframes/index.js';
import type { MediaInfo } from './media-info.js';
import type { Plan } from './plan.js';

export interface SeekPoint {
  /** Seconds from the file's start. */
  time: number;
  /** Where the keyframe's data starts in the file, when the index says. */
  byteOffset?: number;
}

export interface ByteRegion {
  offset: number;
  length: number;
}

/** Read first from the keyframe on: its group of pictures and the first seconds after it. */
export const TARGET_BYTES = 4 * 1024 * 1024;
/**
 * Without the index, the target is guessed by constant bitrate; most of the guess lies before it, since
 * the stream starts at the keyframe before t (typical encodes put them up to 10 s apart).
 */
export const ESTIMATE_BEFORE_BYTES = 3 * 1024 * 1024;
export const ESTIMATE_AFTER_BYTES = 1024 * 1024;

/** A microsecond of slack: an index time and the asked time may differ by float rounding only. */
const SLACK = 1e-6;

/** The keyframe at or before `t` (the first one when t precedes them all); null for an empty index. */
export function keyframeAtOrBefore(index: KeyframeIndex, t: number, fileStart: number): SeekPoint | null {
  const { times } = index;
  if (times.length === 0) return null;
  let found = 0;
  let lo = 0;
  let hi = times.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! - fileStart <= t + SLACK) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const point: SeekPoint = { time: Math.max(0, times[found]! - fileStart) };
  const byteOffset = index.byteOffsets?.[found];
  if (byteOffset !== undefined) point.byteOffset = byteOffset;
  return point;
}

/**
 * The plan started exactly at `point`, a keyframe of its copied video. Plans that do not seek, or that
 * re-encode the video (which starts exactly at t anyway), stay as they are.
 */
export function startAtKeyframe(plan: Plan, point: SeekPoint, info: MediaInfo): Plan {
  if (plan.input.kind !== 'seekable' || plan.input.startTime <= 0 || plan.video?.action !== 'copy') {
    return plan;
  }
  const video = info.streams.find((s) => s.index === plan.video?.stream);
  const keyframe = video?.hasBFrames ? 'reordered' : 'in-order';
  return { ...plan, input: { kind: 'seekable', startTime: point.time, keyframe } };
}

/** The bytes a seek to `point` reads first, when the index says where the keyframe is. */
export function targetRegion(point: SeekPoint, size: number): ByteRegion | null {
  if (point.byteOffset === undefined || point.byteOffset >= size) return null;
  return { offset: point.byteOffset, length: Math.min(TARGET_BYTES, size - point.byteOffset) };
}

/** A guess of those bytes before the index is known: where t falls at a constant bitrate. */
export function estimatedRegion(size: number, t: number, duration: number | null): ByteRegion | null {
  if (!duration || duration <= 0 || t <= 0) return null;
  const at = Math.floor(size * Math.min(1, t / duration));
  const offset = Math.max(0, at - ESTIMATE_BEFORE_BYTES);
  return { offset, length: Math.min(size, at + ESTIMATE_AFTER_BYTES) - offset };
}
