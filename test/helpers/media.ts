/**
 * Small media files generated with FFmpeg's lavfi sources, cached per process run in a temp folder.
 * A few seconds at low resolution keeps the suite fast; each kind exercises one plan.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type MediaKind =
  | 'mp4' // H.264 + AAC, moov first: direct
  | 'mp4-moov-end' // H.264 + AAC, moov after mdat: direct by Range, never piped
  | 'mkv-h264-aac' // remux: both copied
  | 'mkv-h264-ac3' // remux video, audio to AAC
  | 'avi-mpeg4-mp3' // XviD-like video transcoded, MP3 copied
  | 'mkv-hevc-aac' // video transcoded
  | 'webm'; // VP9 + Opus: direct

const cacheDir = join(tmpdir(), `streamtide-media-${process.pid}`);

export const ffmpegBin = process.env.FFMPEG_PATH || 'ffmpeg';
export const ffprobeBin = process.env.FFPROBE_PATH || 'ffprobe';

function sourceArgs(seconds: number, size: string): string[] {
  return [
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=24:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
  ];
}

const recipes: Record<MediaKind, { ext: string; args: string[] }> = {
  mp4: {
    ext: 'mp4',
    args: [
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-g',
      '24',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-movflags',
      '+faststart',
    ],
  },
  'mp4-moov-end': {
    ext: 'mp4',
    args: ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
  },
  'mkv-h264-aac': {
    ext: 'mkv',
    args: ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
  },
  'mkv-h264-ac3': {
    ext: 'mkv',
    args: ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-pix_fmt', 'yuv420p', '-c:a', 'ac3'],
  },
  'avi-mpeg4-mp3': {
    ext: 'avi',
    args: ['-c:v', 'mpeg4', '-vtag', 'XVID', '-q:v', '5', '-g', '24', '-c:a', 'libmp3lame', '-b:a', '96k'],
  },
  'mkv-hevc-aac': {
    ext: 'mkv',
    args: [
      '-c:v',
      'libx265',
      '-preset',
      'ultrafast',
      '-x265-params',
      'log-level=error:keyint=24',
      '-c:a',
      'aac',
    ],
  },
  webm: {
    ext: 'webm',
    args: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-g', '24', '-c:a', 'libopus'],
  },
};

export interface MediaOptions {
  seconds?: number;
  size?: string;
  /** Folder to write into (default: a per-process cache shared by all tests). */
  dir?: string;
  /** File name without extension. */
  name?: string;
}

/** Generates (once) a media file of the given kind and returns its path. */
export async function makeMedia(kind: MediaKind, options: MediaOptions = {}): Promise<string> {
  const seconds = options.seconds ?? 4;
  const size = options.size ?? '160x120';
  const dir = options.dir ?? cacheDir;
  mkdirSync(dir, { recursive: true });
  const recipe = recipes[kind];
  const path = join(dir, `${options.name ?? `${kind}-${seconds}s-${size}`}.${recipe.ext}`);
  if (existsSync(path)) return path;
  const tmp = `${path}.part.${recipe.ext}`;
  await run(ffmpegBin, ['-v', 'error', '-y', ...sourceArgs(seconds, size), ...recipe.args, '-shortest', tmp]);
  const { renameSync } = await import('node:fs');
  renameSync(tmp, path);
  return path;
}

export interface ProbedStream {
  index: number;
  codec_type: string;
  codec_name: string;
  channels?: number;
  tags?: Record<string, string>;
}

export interface Probed {
  format: { format_name: string; duration?: string };
  streams: ProbedStream[];
}

/** ffprobe of a file path or of bytes (written to a temp file), for asserting on outputs. */
export async function ffprobe(pathOrBytes: string | Buffer): Promise<Probed> {
  let path = pathOrBytes as string;
  if (Buffer.isBuffer(pathOrBytes)) {
    const { writeFileSync } = await import('node:fs');
    mkdirSync(cacheDir, { recursive: true });
    path = join(cacheDir, `probe-${process.hrtime.bigint()}.bin`);
    writeFileSync(path, pathOrBytes);
  }
  const { stdout } = await run(
    ffprobeBin,
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Probed;
}

/** Seconds of video from the first to the last frame, read packet by packet (robust for fragmented MP4). */
export async function decodedDuration(path: string): Promise<number> {
  const { stdout } = await run(
    ffprobeBin,
    [
      '-v',
      'error',
      '-show_entries',
      'packet=pts_time,duration_time',
      '-select_streams',
      'v:0',
      '-of',
      'csv=p=0',
      path,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const line of stdout.split('\n')) {
    const [pts, dur] = line.split(',').map(Number);
    if (!Number.isFinite(pts)) continue;
    start = Math.min(start, pts);
    end = Math.max(end, pts + (Number.isFinite(dur) ? dur : 0));
  }
  return Number.isFinite(start) ? end - start : 0;
}
