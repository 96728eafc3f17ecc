/**
 * Small files with keyframes at chosen, partly irregular times, one per container recipe, and FFmpeg's own
 * view of where their keyframes are, to compare the index readers with.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ReadAt } from '../../../src/stream/keyframes/index.js';
import { tools } from '../../helpers/media.js';

const run = promisify(execFile);
const dir = join(tmpdir(), `streamtide-keyframes-${process.pid}`);

export const SECONDS = 16;
/** Every 2 s, plus some off the grid (5.5, 11.25, 13.5), and one missing (10). */
export const FORCED = [0, 2, 4, 5.5, 6, 8, 11.25, 12, 13.5, 14];

const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-sc_threshold', '0'];
const bframes = ['-x264-params', 'bframes=2:b-adapt=0'];

export const recipes = {
  'mkv-cues-end': { ext: 'mkv', args: [...x264, ...bframes, '-c:a', 'aac'] },
  'mkv-cues-front': { ext: 'mkv', args: [...x264, '-c:a', 'aac', '-reserve_index_space', '65536'] },
  'mkv-live': { ext: 'mkv', args: [...x264, '-c:a', 'aac', '-f', 'matroska'], pipe: true },
  webm: {
    ext: 'webm',
    args: ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-c:a', 'libvorbis'],
  },
  'mp4-moov-end': { ext: 'mp4', args: [...x264, ...bframes, '-c:a', 'aac'] },
  'mp4-moov-first': { ext: 'mp4', args: [...x264, ...bframes, '-c:a', 'aac', '-movflags', '+faststart'] },
  'mp4-fragmented': { ext: 'mp4', args: [...x264, '-c:a', 'aac', '-movflags', 'frag_keyframe+empty_moov'] },
  mov: { ext: 'mov', args: [...x264, '-c:a', 'aac'] },
  'avi-mpeg4': { ext: 'avi', args: ['-c:v', 'mpeg4', '-q:v', '5', '-c:a', 'libmp3lame'] },
  'avi-h264': { ext: 'avi', args: [...x264, ...bframes, '-c:a', 'libmp3lame'] },
  ts: { ext: 'ts', args: [...x264, '-c:a', 'aac'] },
} satisfies Record<string, { ext: string; args: string[]; pipe?: true }>;
export type Recipe = keyof typeof recipes;

/** Generates (once per process) the recipe's file and returns its path. */
export async function keyframeMedia(kind: Recipe): Promise<string> {
  const recipe: { ext: string; args: string[]; pipe?: true } = recipes[kind];
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${kind}.${recipe.ext}`);
  if (existsSync(path)) return path;
  const { ffmpeg } = await tools();
  const tmp = `${path}.part`;
  const args = [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=160x120:rate=24:duration=${SECONDS}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`,
    '-force_key_frames',
    FORCED.join(','),
    '-g',
    '250',
    ...recipe.args,
    ...(recipe.pipe ? [] : ['-f', kind === 'ts' ? 'mpegts' : recipe.ext === 'mkv' ? 'matroska' : recipe.ext]),
  ];
  if (recipe.pipe) {
    // Written to a pipe, the muxer cannot seek back: unknown sizes, no Cues (a live capture).
    const quoted = [ffmpeg, ...args, 'pipe:1'].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    await run('sh', ['-c', `${quoted} > '${tmp}'`]);
  } else {
    await run(ffmpeg, [...args, tmp]);
  }
  renameSync(tmp, path);
  return path;
}

/** Presentation times (dts where the container has none, as AVI) of the first video stream's keyframes. */
export async function probedKeyframes(path: string): Promise<number[]> {
  const { stdout } = await run(
    (await tools()).ffprobe,
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'packet=pts_time,dts_time,flags',
      '-of',
      'json',
      path,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const packets = (
    JSON.parse(stdout) as { packets: { pts_time?: string; dts_time?: string; flags: string }[] }
  ).packets;
  return packets
    .filter((p) => p.flags.startsWith('K'))
    .map((p) => Number(p.pts_time ?? p.dts_time))
    .sort((a, b) => a - b);
}

/** A ReadAt on a file that counts what it reads. */
export async function countingReader(path: string): Promise<{
  read: ReadAt;
  size: number;
  stats: { reads: number; bytes: number; ranges: Array<[number, number]> };
  close: () => Promise<void>;
}> {
  const handle = await open(path, 'r');
  const size = (await handle.stat()).size;
  const stats = { reads: 0, bytes: 0, ranges: [] as Array<[number, number]> };
  const read: ReadAt = async (offset, length) => {
    const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
    if (buf.length > 0) await handle.read(buf, 0, buf.length, offset);
    stats.reads++;
    stats.bytes += buf.length;
    stats.ranges.push([offset, buf.length]);
    return buf;
  };
  return { read, size, stats, close: () => handle.close() };
}
