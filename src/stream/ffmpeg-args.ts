/** FFmpeg's command line for a Plan: chosen streams only, into fragmented MP4 on stdout. */
import type { Plan } from './plan.js';

/** How far past a keyframe an exact seek aims (seconds): rounding never puts the aim before it. */
const KEYFRAME_NUDGE = 0.001;
/**
 * FFmpeg aims an input seek 3/23 s earlier when a video stream has B-frames (its "dts heuristic", for
 * containers it cannot seek by pts, such as Matroska and AVI); aiming as much later cancels it. Where it
 * does not apply (MP4), landing at or before keyframe + 0.13 s is the same keyframe for any real encode.
 */
const REORDER_HEURISTIC = 3 / 23;

/**
 * Everything comes from the plan; `url` is only where the seekable input serves the source, for a plan
 * whose input is seekable (a piped plan reads stdin).
 */
export function buildFfmpegArgs(plan: Plan, url?: string): string[] {
  const args = ['-hide_banner', '-loglevel', 'error'];
  // +genpts: AVI (and other old containers) carry no pts for copied streams; harmless elsewhere.
  args.push('-fflags', '+genpts');
  const { input } = plan;
  const startTime = input.kind === 'seekable' ? input.startTime : 0;
  const keyframe = input.kind === 'seekable' ? input.keyframe : undefined;
  if (input.kind === 'pipe' && input.format) args.push('-f', input.format);
  if (input.kind === 'seekable' && !url) throw new Error('a seekable input needs its URL');
  if (keyframe) {
    // Input seeking with copied video lands on the keyframe at or before the time given: aim just past
    // the keyframe so that it is this one, and shift the input back as much so that the keyframe is output
    // time 0 (re-encoded audio is cut there too). No output trim: FFmpeg trims copied video by decode
    // time, which for B-frames lies before the keyframe's own time, and would drop it.
    const nudge = KEYFRAME_NUDGE + (keyframe === 'reordered' ? REORDER_HEURISTIC : 0);
    args.push('-ss', (startTime + nudge).toFixed(6), '-itsoffset', nudge.toFixed(6));
  } else if (startTime > 0) {
    // Input seeking: fast, lands on the keyframe before.
    args.push('-ss', startTime.toFixed(3));
  }
  args.push('-i', input.kind === 'seekable' && url ? url : 'pipe:0');
  // Input seeking lands on the keyframe before; copied streams (audio) would keep that pre-roll and,
  // shifted to 0, push the video later. An output start of 0 drops everything before the asked time.
  if (startTime > 0 && !keyframe) args.push('-ss', '0');

  if (plan.video) {
    args.push('-map', `0:${plan.video.stream}`);
    if (plan.video.action === 'copy') {
      args.push('-c:v', 'copy');
      // FFmpeg would write HEVC as `hev1` when the source says so; Safari plays only `hvc1`.
      if (plan.video.tag) args.push('-tag:v', plan.video.tag);
    } else {
      // One frame out per frame in (send_frame), deinterlacing only the frames flagged interlaced.
      if (plan.video.deinterlace) args.push('-vf', 'yadif=mode=send_frame:deint=interlaced');
      args.push('-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p');
      // A keyframe at least every 2 s: each starts a fragment, so the browser gets data that often.
      args.push('-force_key_frames', 'expr:gte(t,n_forced*2)');
    }
  }
  if (plan.audio) {
    args.push('-map', `0:${plan.audio.stream}`);
    if (plan.audio.action === 'copy') args.push('-c:a', 'copy');
    // Passes raw AAC through untouched; strips ADTS headers, which MP4's muxer refuses mid-stream.
    if (plan.audio.adtsToAsc) args.push('-bsf:a', 'aac_adtstoasc');
    if (plan.audio.action === 'aac') args.push('-c:a', 'aac', '-ac', '2');
  }
  args.push(
    // Opus/FLAC in MP4 are still flagged experimental in FFmpeg 5.
    '-strict',
    'experimental',
    '-avoid_negative_ts',
    'make_zero',
    '-muxdelay',
    '0',
    '-max_muxing_queue_size',
    '1024',
    '-f',
    'mp4',
    '-movflags',
    'frag_keyframe+empty_moov+default_base_moof',
  );
  // Fragments of at most 0.5 s of media: a fragment reaches the browser only once complete, and a copied
  // video's keyframes can be 10 s apart (frag_keyframe alone also never cuts audio-only output). Half a
  // second gets a transcode's first fragment out sooner, for a few more moof bytes (BENCHMARKS.md).
  args.push('-frag_duration', '500000', 'pipe:1');
  return args;
}
