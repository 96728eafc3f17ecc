/**
 * Keyframe times of a video track taken from its container's own index (Matroska Cues, MP4 stss/stts,
 * AVI idx1), read by Range: only the headers and the index regions are fetched, never the media data —
 * for a torrent that means fetching the index's pieces first. HLS of copied video cuts segments there.
 */
import { readAviKeyframes } from './avi.js';
import { readMatroskaKeyframes } from './matroska.js';
import { readMp4Keyframes } from './mp4.js';

export { KeyframeIndexError } from './region.js';

/** Resolves with fewer bytes than asked only at the end of the file. */
export type ReadAt = (offset: number, length: number) => Promise<Buffer>;

export interface KeyframeIndex {
  /** The container's id of the video track used (Matroska TrackNumber, MP4 track_ID, AVI stream number). */
  track: number;
  /** Presentation times in seconds, ascending, the first about 0. */
  times: number[];
  /** The track's (or file's) duration in seconds, when the container says. */
  duration: number | null;
  /**
   * Where each keyframe's data can be read from, when the index says: MP4 the sample itself, AVI the
   * chunk's data, Matroska the start of the Cluster holding it.
   */
  byteOffsets?: number[];
}

export interface ReadKeyframesOptions {
  signal?: AbortSignal;
}

/**
 * The keyframe index of the first video track, or null when the container has no usable one (MPEG-TS,
 * fragmented MP4, an AVI without idx1, an MKV without Cues). Throws KeyframeIndexError on a malformed
 * or oversized index; callers treat that like null (transcode, or fall back).
 */
export async function readKeyframes(
  read: ReadAt,
  size: number,
  container: 'matroska' | 'webm' | 'mp4' | 'mov' | 'avi' | (string & {}),
  opts: ReadKeyframesOptions = {},
): Promise<KeyframeIndex | null> {
  switch (indexFamily(container)) {
    case 'matroska':
      return readMatroskaKeyframes(read, size, opts.signal);
    case 'mp4':
      return readMp4Keyframes(read, size, opts.signal);
    case 'avi':
      return readAviKeyframes(read, size, opts.signal);
    default:
      return null;
  }
}

/**
 * Which index reader a container takes, or null when it has none. FFmpeg's format names list aliases
 * ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"): any of them matches; file extensions work too.
 */
export function indexFamily(container: string): 'matroska' | 'mp4' | 'avi' | null {
  const names = container.toLowerCase().split(',');
  if (names.some((n) => ['matroska', 'webm', 'mkv'].includes(n))) return 'matroska';
  if (names.some((n) => ['mp4', 'mov', 'm4v', '3gp', 'mj2'].includes(n))) return 'mp4';
  return names.includes('avi') ? 'avi' : null;
}
