/**
 * FFmpeg's command line for one rendition from one segment on: a single track into fragmented MP4 on
 * stdout. Timestamps stay the source's (`-copyts`), shifted by a constant, so every run — whichever
 * segment it started at — writes the same times for the same frames, and segments from different runs
 * line up in the player. The init segment is the same bytes from every run (no edit list).
 */
import { levelName } from './h264-level.js';
import type { HlsAudio, HlsVideo } from './hls-plan.js';

/**
 * Playlist time 0 is written at this media time. Copied streams start with negative decode times
 * (B-frame delay, AAC priming), which fMP4's unsigned tfdt cannot hold: a constant lead keeps them
 * positive. Players map the first segment's time to the playlist's, so the lead is invisible.
 */
export const TIMELINE_BASE = 10;

/** Seconds decoded before an encoded video run's first boundary, so its first frame is there. */
const ENCODE_PREROLL = 3;

export type RenditionTrack = { video: HlsVideo } | { audio: HlsAudio };

export interface SegmentRun {
  /** Playlist start of each segment (seconds from the file's start). */
  starts: readonly number[];
  /** The segment this run starts at. */
  first: number;
  /** The segment this run stops before (see MAX_RUN_SEGMENTS). */
  until: number;
  /** The file's start time: source time = playlist time + startTime. */
  startTime: number;
}

/**
 * The longest run of encoded video: its boundaries go on FFmpeg's command line (~10 bytes each), which
 * Linux caps at 128 KB per argument. 8000 segments is nearly nine hours; a longer file takes a new run.
 */
export const MAX_RUN_SEGMENTS = 8000;

export function segmentArgs(track: RenditionTrack, run: SegmentRun, input: string): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-fflags', '+genpts', '-copyts'];
  const encoded = 'video' in track ? track.video.id === 'video-h264' : track.audio.action === 'aac';
  if (run.first > 0) {
    // -ss counts from the file's start. A copy lands on the keyframe at or before the time asked (a
    // millisecond past the boundary, against rounding). With B-frames, FFmpeg seeks Matroska and AVI
    // 3/23 s earlier, so a GOP before: kept on purpose, as that GOP's cluster holds audio (and open-GOP
    // HEVC's leading frames) that belong after the boundary; the pre-roll is dropped. Encoded video starts
    // a little earlier: containers like MPEG-TS seek to any packet, and the decoder then skips to the next
    // keyframe, which may be past the boundary. What comes before the boundary is dropped as pre-roll.
    const at = run.starts[run.first]!;
    const seek = !encoded ? at + 0.001 : 'video' in track ? Math.max(0, at - ENCODE_PREROLL) : at;
    args.push('-ss', seek.toFixed(3));
  }
  args.push('-i', input);
  if ('video' in track) args.push(...videoArgs(track.video, run));
  else args.push(...audioArgs(track.audio));
  args.push(
    '-output_ts_offset',
    (TIMELINE_BASE - run.startTime).toFixed(6),
    '-avoid_negative_ts',
    'disabled',
    '-use_editlist',
    '0',
    '-muxdelay',
    '0',
    '-max_muxing_queue_size',
    '1024',
    // Opus/FLAC in MP4 are still flagged experimental in FFmpeg 5.
    '-strict',
    'experimental',
    '-f',
    'mp4',
    '-movflags',
    movflags(track),
    'pipe:1',
  );
  return args;
}

/**
 * A fragment per GOP for video (segments start at keyframes), per frame for audio (every audio frame can
 * start a segment); frag_discont writes the real decode times instead of restarting at 0. Copied audio
 * delays the moov to the first fragment: AC-3 and E-AC-3 cannot be described before a packet is seen
 * (FFmpeg refuses), and ADTS AAC gets its AudioSpecificConfig from aac_adtstoasc only with the first
 * packet — an init written before it has an esds without one, which players cannot decode.
 */
function movflags(track: RenditionTrack): string {
  const flags = ['video' in track ? 'frag_keyframe' : 'frag_every_frame', 'empty_moov', 'default_base_moof'];
  flags.push('frag_discont');
  if ('audio' in track && track.audio.action === 'copy') flags.push('delay_moov');
  return flags.join('+');
}

function videoArgs(video: HlsVideo, run: SegmentRun): string[] {
  const args = ['-map', `0:${video.stream}`];
  if (video.id === 'video-copy') {
    // 90 kHz holds both a millisecond clock (MKV) and common frame rates exactly; the muxer's own pick
    // from MKV's 1/1000 is 16000, where 24 fps frames fall between ticks and players see jitter.
    args.push('-c:v', 'copy', '-video_track_timescale', '90000');
    if (video.tag) args.push('-tag:v', video.tag);
    return args;
  }
  if (video.deinterlace) args.push('-vf', 'yadif=mode=send_frame:deint=interlaced');
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p');
  if (video.level) args.push('-level:v', levelName(video.level));
  // A keyframe at every boundary, so each segment starts with one. The list is in source time (FFmpeg
  // compares it with the frames' own timestamps under -copyts).
  const boundaries = run.starts.slice(run.first, run.until).map((t) => (t + run.startTime).toFixed(3));
  args.push('-force_key_frames', boundaries.join(','));
  return args;
}

function audioArgs(audio: HlsAudio): string[] {
  const args = ['-map', `0:${audio.stream}`];
  if (audio.action === 'copy') {
    args.push('-c:a', 'copy');
    // Strips ADTS headers (TS, some AVIs), which MP4 does not take.
    if (audio.adtsToAsc) args.push('-bsf:a', 'aac_adtstoasc');
  } else args.push('-c:a', 'aac', '-ac', String(audio.channels), '-b:a', `${64 * audio.channels}k`);
  return args;
}
