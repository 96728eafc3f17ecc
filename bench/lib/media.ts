/**
 * The bench's media, generated with FFmpeg and cached between runs: one minute of 720p H.264 (5 Mbit/s,
 * keyframes up to 10 s apart as in typical x264 encodes) + AAC, then looped by stream copy into files of the
 * sizes asked for. Copying is fast and keeps timestamps continuous, so a 4 GB file costs seconds, not minutes.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';

const run = promisify(execFile);
const CLIP_SECONDS = 60;

export interface Media {
  path: string;
  size: number;
  duration: number;
  /** Bytes per second of media: what "real time" means for this file. */
  bytesPerSecond: number;
}

/** `gop`: the most frames between keyframes (240 = 10 s, x264's usual; HLS copies only GOPs ≤ 6 s). */
async function clip(dir: string, gop = 240): Promise<string> {
  const path = join(dir, gop === 240 ? 'clip-720p-60s.mkv' : `clip-720p-60s-gop${gop}.mkv`);
  if (existsSync(path)) return path;
  const tmp = `${path}.part.mkv`;
  const { ffmpeg } = await locateFfmpeg();
  await run(ffmpeg, [
    ...['-v', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=24:duration=${CLIP_SECONDS}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${CLIP_SECONDS}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '5M', '-maxrate', '6M', '-bufsize', '10M'],
    ...[
      '-g',
      String(gop),
      '-keyint_min',
      '24',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-shortest',
      tmp,
    ],
  ]);
  renameSync(tmp, path);
  return path;
}

/** An MKV of at least `bytes` (whole clip loops), named by its size so runs share it. */
export async function mkvOfSize(dir: string, bytes: number): Promise<Media> {
  mkdirSync(dir, { recursive: true });
  const source = await clip(dir);
  const loops = Math.max(1, Math.ceil(bytes / statSync(source).size));
  return looped(dir, source, loops, `movie-${loops}x60s.mkv`);
}

/** An MKV of `minutes` of media, with at most `gop` frames between keyframes. */
export async function mkvOfMinutes(dir: string, minutes: number, gop = 240): Promise<Media> {
  mkdirSync(dir, { recursive: true });
  const source = await clip(dir, gop);
  const name = gop === 240 ? `movie-${minutes}min.mkv` : `movie-${minutes}min-gop${gop}.mkv`;
  return looped(dir, source, Math.max(1, Math.round((minutes * 60) / CLIP_SECONDS)), name);
}

async function looped(dir: string, source: string, loops: number, name: string): Promise<Media> {
  const path = join(dir, name);
  const { ffmpeg } = await locateFfmpeg();
  if (!existsSync(path)) {
    const tmp = `${path}.part.mkv`;
    await run(
      ffmpeg,
      ['-v', 'error', '-y', '-stream_loop', String(loops - 1), '-i', source, '-map', '0'].concat([
        '-c',
        'copy',
        tmp,
      ]),
    );
    renameSync(tmp, path);
  }
  return describe(path);
}

async function describe(path: string): Promise<Media> {
  const { ffprobe } = await locateFfmpeg();
  const { stdout } = await run(ffprobe, [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    path,
  ]);
  const duration = Number(stdout.trim());
  const size = statSync(path).size;
  return { path, size, duration, bytesPerSecond: size / duration };
}

/** One encode of the constrained-swarm media, muxed twice: MKV (remuxed by the server) and MP4 (played direct). */
export interface BitrateMedia {
  mkv: Media;
  mp4: Media;
  /** Total bits per second the encode aims at (video + audio). */
  bitsPerSecond: number;
}

/**
 * `minutes` of 480p H.264 at a constant ~1.2 Mbit/s with AAC, keyframes every 10 s: what a typical
 * web-sized torrent streams at. The video is CBR (x264's HRD filler) so "1.4× the bitrate" means the same
 * thing at every second; the MP4 has its index first (`faststart`), as files made for progressive play do.
 */
export async function bitrateMedia(dir: string, minutes: number): Promise<BitrateMedia> {
  mkdirSync(dir, { recursive: true });
  const name = `swarm-1200k-${minutes}min`;
  const { ffmpeg } = await locateFfmpeg();
  const clipPath = join(dir, 'clip-480p-60s-1200k.mkv');
  if (!existsSync(clipPath)) {
    const tmp = `${clipPath}.part.mkv`;
    await run(ffmpeg, [
      ...['-v', 'error', '-y'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=854x480:rate=24:duration=${CLIP_SECONDS}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${CLIP_SECONDS}`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-x264-params', 'nal-hrd=cbr'],
      ...['-b:v', '1072k', '-minrate', '1072k', '-maxrate', '1072k', '-bufsize', '1072k'],
      ...['-g', '240', '-keyint_min', '240', '-pix_fmt', 'yuv420p'],
      ...['-c:a', 'aac', '-b:a', '128k', '-shortest', tmp],
    ]);
    renameSync(tmp, clipPath);
  }
  const mkv = await looped(dir, clipPath, minutes, `${name}.mkv`);
  const mp4Path = join(dir, `${name}.mp4`);
  if (!existsSync(mp4Path)) {
    const tmp = `${mp4Path}.part.mp4`;
    await run(ffmpeg, [
      '-v',
      'error',
      '-y',
      '-i',
      mkv.path,
      '-map',
      '0',
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      tmp,
    ]);
    renameSync(tmp, mp4Path);
  }
  const mp4 = await describe(mp4Path);
  return { mkv, mp4, bitsPerSecond: 1_200_000 };
}
