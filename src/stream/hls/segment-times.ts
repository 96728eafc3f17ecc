/**
 * Where HLS segments start and end. The cut times depend only on the file (its duration and, for copied
 * video, its keyframe index), never on where playback began, so segments fetched before and after a seek
 * line up and a player can mix them.
 */

export interface SegmentTimes {
  /** Start of each segment in seconds, ascending; the first is always 0. */
  starts: number[];
  /** Length of each segment; they add up to the file's duration. */
  durations: number[];
}

/** Length aimed at: short enough for quick starts and seeks, long enough to keep requests few. */
export const TARGET_SEGMENT = 4;
/** The first segment is shorter: it is what stands between a cold start and the first frame. */
export const FIRST_SEGMENT = 2;
/** Longest segment allowed, so #EXT-X-TARGETDURATION stays at or below 6. */
export const MAX_SEGMENT = 6;
/** Keyframes this close to 0 or to the end would make empty-ish segments: they are not cut at. */
const EDGE = 0.05;
/** Float slack when comparing times read from a container index. */
const EPS = 1e-6;

/** A last fixed segment shorter than this joins the one before (when that stays ≤ MAX_SEGMENT). */
const MIN_TAIL = 1;

/**
 * Fixed-length segments (transcoded video, audio-only): the first `first` seconds long, then every
 * `length` seconds, the last one shorter —
 * but not a sliver: a tail under a second is merged into the previous segment, since a few-millisecond
 * segment costs a request and some players stall on it.
 */
export function fixedSegmentTimes(
  duration: number,
  length = TARGET_SEGMENT,
  first = Math.min(FIRST_SEGMENT, length),
): SegmentTimes {
  if (!(duration > 0) || !(length > 0) || !(first > 0)) {
    throw new RangeError(`bad duration ${duration}, length ${length} or first ${first}`);
  }
  const starts = [0];
  for (let t = first; t < duration - EPS; t += length) starts.push(t);
  const tail = duration - starts[starts.length - 1]!;
  const before = starts.length > 1 ? starts[starts.length - 1]! - starts[starts.length - 2]! : 0;
  if (starts.length > 1 && tail < MIN_TAIL && before + tail <= MAX_SEGMENT + EPS) starts.pop();
  return { starts, durations: durationsOf(starts, duration) };
}

/**
 * Segments of copied video, each starting on a keyframe (a copied segment cannot start anywhere else).
 * Greedy: cut at the first keyframe at least `target` after the previous cut; if that one is more than
 * `max` away, cut at the last keyframe within `max` instead. When no keyframe lies within `max` of a cut
 * (a GOP longer than 6 s), returns null: the caller transcodes the video, since stretching segments past
 * 6 s would break the TARGETDURATION ≤ 6 contract and cutting between keyframes needs re-encoding anyway.
 * Since the fallback takes the farthest keyframe within reach, null means the file really has such a gap.
 * The first segment starts at 0 even when the first keyframe is slightly later (0.04 s with B-frames):
 * the player starts at 0 and those frames belong to the first segment.
 */
export function keyframeSegmentTimes(
  keyframes: readonly number[],
  duration: number,
  opts: { target?: number; first?: number; max?: number } = {},
): SegmentTimes | null {
  const max = opts.max ?? MAX_SEGMENT;
  if (!(duration > 0)) throw new RangeError(`bad duration ${duration}`);
  const cuts = keyframes.filter((t) => Number.isFinite(t) && t > EDGE && t < duration - EDGE);
  const starts = [0];
  let i = 0; // first candidate keyframe after the last cut
  for (;;) {
    const last = starts[starts.length - 1]!;
    if (duration - last <= max + EPS) break;
    while (i < cuts.length && cuts[i]! <= last + EPS) i++;
    const target = starts.length === 1 ? (opts.first ?? FIRST_SEGMENT) : (opts.target ?? TARGET_SEGMENT);
    let j = i;
    while (j < cuts.length && cuts[j]! < last + target - EPS) j++;
    // cuts[j] is the first keyframe ≥ last + target; fall back to the last keyframe within max.
    let next = j < cuts.length && cuts[j]! <= last + max + EPS ? cuts[j] : undefined;
    if (next === undefined) {
      const within = j > i ? cuts[j - 1] : undefined;
      if (within === undefined || within > last + max + EPS) return null;
      next = within;
    }
    starts.push(next);
  }
  return { starts, durations: durationsOf(starts, duration) };
}

/** Index of the segment holding time `t` (binary search); times outside the file clamp to the ends. */
export function segmentAt(times: SegmentTimes, t: number): number {
  const { starts } = times;
  if (!(t > 0)) return 0;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= t + EPS) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function durationsOf(starts: number[], duration: number): number[] {
  return starts.map((s, k) => (k + 1 < starts.length ? starts[k + 1]! : duration) - s);
}
