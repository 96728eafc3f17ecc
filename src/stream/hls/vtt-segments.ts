/**
 * WebVTT segments of an HLS subtitle rendition, cut at the video's segment times. Cue times stay playlist
 * times; the X-TIMESTAMP-MAP header ties playlist time 0 to the media timestamp the fMP4 segments carry
 * for it (TIMELINE_BASE), so players line cues up with the video.
 */
import { type Cue, serializeCue } from '../vtt.js';
import { TIMELINE_BASE } from './segment-args.js';
import type { SegmentTimes } from './segment-times.js';

/** MPEG-TS timestamps count at 90 kHz, whatever the segments' own timescale. */
const MPEGTS_CLOCK = 90_000;

export const VTT_SEGMENT_HEADER = `WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:${TIMELINE_BASE * MPEGTS_CLOCK},LOCAL:00:00:00.000\n\n`;

/**
 * Segment n's span in milliseconds, [start, end). Boundaries are rounded to the millisecond as the
 * playlist's EXTINFs are. The last segment has no end: a cue past the stated duration (which is the
 * container's estimate) still shows rather than vanishing from every segment.
 */
export function segmentSpan(times: SegmentTimes, n: number): { start: number; end: number } {
  const { starts } = times;
  if (!Number.isInteger(n) || n < 0 || n >= starts.length) {
    throw new RangeError(`no segment ${n}: there are ${starts.length}`);
  }
  const start = Math.round(starts[n]! * 1000);
  const end = n + 1 < starts.length ? Math.round(starts[n + 1]! * 1000) : Number.POSITIVE_INFINITY;
  return { start, end };
}

/**
 * The cues showing during segment n: those overlapping [start, end). A cue across a boundary is in both
 * segments with its times unchanged; players drop the repeat (same times, same text).
 */
export function segmentCues(cues: readonly Cue[], times: SegmentTimes, n: number): Cue[] {
  const { start, end } = segmentSpan(times, n);
  return cues.filter((cue) => cue.start < end && cue.end > start);
}

/** Segment n as a WebVTT file: the header alone when no cue shows in it (still a valid file). */
export function vttSegment(cues: readonly Cue[], times: SegmentTimes, n: number): string {
  return VTT_SEGMENT_HEADER + segmentCues(cues, times, n).map(serializeCue).join('');
}
