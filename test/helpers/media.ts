/**
 * Small media files generated with FFmpeg's lavfi sources, cached per process run in a temp folder.
 * A few seconds at low resolution keeps the suite fast; each kind exercises one plan.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type FfmpegTools, locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';

const run = promisify(execFile);

export type MediaKind =
  | 'mp4' // H.264 + AAC, moov first: direct
  | 'mp4-moov-end' // H.264 + AAC, moov after mdat: direct by Range, never piped
  | 'mkv-h264-aac' // remux: both copied
  | 'mkv-gop2' // remux, keyframes exactly every 2 s: exact seeks land between them
  | 'mkv-gop2-bframes' // the same with B-frames (decode order differs from display order)
  | 'mkv-h264-ac3' // remux video, audio to AAC
  | 'avi-mpeg4-mp3' // XviD-like video transcoded, MP3 copied
  | 'mkv-hevc-aac' // video transcoded
  | 'webm' // VP9 + Opus: direct
  | 'mp4-hevc-moov-end' // HEVC + AAC, moov after mdat: needs FFmpeg, which must get a seekable input
  | 'ts-h264-aac' // broadcast capture: ADTS AAC, SDT service names; remux
  | 'avi-h264-bframes' // H.264 with B-frames in AVI (no pts): video transcoded
  | 'ts-mpeg2-interlaced' // DVB/DVD-like interlaced MPEG-2 + MP2: transcoded and deinterlaced
  | 'ts-h264-interlaced' // 1080i-like interlaced H.264 in TS: transcoded and deinterlaced
  | 'mkv-h264-10bit' // High 10 H.264: copied as is (Chromium only)
  | 'flac' // audio only: direct
  | 'mp3-cover' // MP3 with a cover picture (attached_pic): direct
  | 'mkv-h264-bframes' // H.264 High with B-frames and 2 s GOPs + AAC: what real files hold (HLS copies it)
  | 'mkv-h264-noise' // H.264 of noise, ~0.5 MB per second at 320x240: big enough to outgrow torrent readahead
  | 'mkv-multi-audio' // H.264 + AAC `eng` (default) + AC-3 `fra` "Français" (HLS: two audio renditions)
  | 'mkv-untagged-audio'; // H.264 + two AAC streams with neither language nor title

const cacheDir = join(tmpdir(), `streamtide-media-${process.pid}`);

/** FFmpeg and ffprobe found as the product finds them (env, PATH, npm), so tests need nothing but Node. */
export function tools(): Promise<FfmpegTools> {
  return locateFfmpeg();
}

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

const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24'];
const gop2 = [
  '-c:v',
  'libx264',
  '-preset',
  'ultrafast',
  '-g',
  '48',
  '-keyint_min',
  '48',
  '-sc_threshold',
  '0',
];
/** Interlaced for real: two frames woven into the fields of one (half the rate; moving parts comb). */
const weave = ['-vf', 'tinterlace=mode=merge'];
/**
 * `full`: streams of different lengths (a one-frame cover), so no -shortest. `inputs`: more lavfi inputs
 * after the picture (0) and the 440 Hz tone (1).
 */
const recipes: Record<
  MediaKind,
  { ext: string; args: string[]; full?: true; inputs?: (seconds: number) => string[] }
> = {
  'mkv-h264-bframes': {
    ext: 'mkv',
    args: [
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-g',
      '48',
      '-bf',
      '2',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
    ],
  },
  'mkv-h264-noise': {
    ext: 'mkv',
    args: [
      '-vf',
      'noise=alls=15:allf=t',
      ...x264,
      '-g',
      '48',
      '-bf',
      '2',
      '-qp',
      '26',
      '-pix_fmt',
      'yuv420p',
    ].concat(['-c:a', 'aac']),
  },
  'mkv-multi-audio': {
    ext: 'mkv',
    inputs: (seconds) => ['-f', 'lavfi', '-i', `sine=frequency=880:sample_rate=48000:duration=${seconds}`],
    args: [
      '-map 0:v -map 1:a -map 2:a -c:v libx264 -preset ultrafast -g 24 -pix_fmt yuv420p',
      '-c:a:0 aac -c:a:1 ac3 -ac:a:1 2 -metadata:s:a:0 language=eng -metadata:s:a:1 language=fra',
      '-disposition:a:0 default -disposition:a:1 0',
    ]
      .flatMap((group) => group.split(' '))
      .concat(['-metadata:s:a:1', 'title=Français']),
  },
  'mkv-untagged-audio': {
    ext: 'mkv',
    inputs: (seconds) => ['-f', 'lavfi', '-i', `sine=frequency=880:sample_rate=48000:duration=${seconds}`],
    args: ['-map 0:v -map 1:a -map 2:a', '-c:v libx264 -preset ultrafast -g 24 -pix_fmt yuv420p -c:a aac']
      .join(' ')
      .split(' '),
  },
  'ts-h264-aac': { ext: 'ts', args: [...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac'] },
  'avi-h264-bframes': {
    ext: 'avi',
    args: [...x264, '-x264-params', 'bframes=2:b-adapt=0', '-pix_fmt', 'yuv420p', '-c:a', 'libmp3lame'],
  },
  'ts-mpeg2-interlaced': {
    ext: 'ts',
    args: [
      weave,
      '-c:v',
      'mpeg2video',
      '-flags',
      '+ilme+ildct',
      '-field_order',
      'tt',
      '-q:v',
      '5',
      '-c:a',
      'mp2',
    ].flat(),
  },
  'ts-h264-interlaced': {
    ext: 'ts',
    args: [
      ...weave,
      ...x264,
      '-x264-params',
      'interlaced=1',
      '-field_order',
      'tt',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
    ],
  },
  'mkv-gop2': { ext: 'mkv', args: [...gop2, '-pix_fmt', 'yuv420p', '-c:a', 'aac'] },
  'mkv-gop2-bframes': {
    ext: 'mkv',
    args: [...gop2, '-x264-params', 'bframes=2:b-adapt=0', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
  },
  'mkv-h264-10bit': { ext: 'mkv', args: [...x264, '-pix_fmt', 'yuv420p10le', '-c:a', 'aac'] },
  flac: { ext: 'flac', args: ['-map', '1:a', '-c:a', 'flac'] },
  'mp3-cover': {
    ext: 'mp3',
    args: [
      '-map',
      '1:a',
      '-map',
      '0:v',
      '-c:a',
      'libmp3lame',
      '-c:v',
      'mjpeg',
      '-pix_fmt',
      'yuvj420p',
    ].concat(['-frames:v', '1', '-disposition:v', 'attached_pic']),
    full: true,
  },
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
  'mp4-hevc-moov-end': {
    ext: 'mp4',
    args: [
      '-c:v',
      'libx265',
      '-preset',
      'ultrafast',
      '-x265-params',
      'log-level=error:keyint=24',
      '-tag:v',
      'hvc1',
      '-c:a',
      'aac',
    ],
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
  const { ffmpeg } = await tools();
  await run(ffmpeg, [
    '-v',
    'error',
    '-y',
    ...sourceArgs(seconds, size),
    ...(recipe.inputs?.(seconds) ?? []),
    ...recipe.args,
    ...(recipe.full ? [] : ['-shortest']),
    tmp,
  ]);
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
    (await tools()).ffprobe,
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Probed;
}

/** Seconds of video from the first to the last frame, read packet by packet (robust for fragmented MP4). */
export async function decodedDuration(path: string): Promise<number> {
  const { stdout } = await run(
    (await tools()).ffprobe,
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

/** The SubRip cues of `makeTracksMedia`'s subtitle stream (ms), in order. */
export const tracksMediaCues = [
  { start: 500, end: 1500, text: 'First cue' },
  { start: 2000, end: 3200, text: 'Second <i>cue</i>\ntwo lines' },
  { start: 3500, end: 4000, text: 'Third cue' },
];

/** A minimal PGS (.sup) display set pair, enough for a demuxer and ffprobe to see hdmv_pgs_subtitle. */
function pgsBytes(): Buffer {
  const segment = (seconds: number, type: number, data: Buffer) => {
    const head = Buffer.alloc(13);
    head.write('PG', 0);
    head.writeUInt32BE(seconds * 90_000, 2);
    head.writeUInt8(type, 10);
    head.writeUInt16BE(data.length, 11);
    return Buffer.concat([head, data]);
  };
  // Presentation composition: 160x120, composition n, state, no objects (a "clear screen").
  const composition = (n: number, state: number) => {
    const body = Buffer.alloc(11);
    body.writeUInt16BE(160, 0);
    body.writeUInt16BE(120, 2);
    body[4] = 0x10;
    body.writeUInt16BE(n, 5);
    body[7] = state;
    return body;
  };
  const end = Buffer.alloc(0);
  return Buffer.concat([
    segment(1, 0x16, composition(0, 0x80)),
    segment(1, 0x80, end),
    segment(2, 0x16, composition(1, 0)),
    segment(2, 0x80, end),
  ]);
}

/**
 * An MKV for audio/subtitle track tests: 0 H.264; 1 AAC 440 Hz `eng` (default); 2 AAC 880 Hz `fra` "Français";
 * 3 SubRip `eng` "English" with `tracksMediaCues` (or `cues`: then give a `name`); 4 PGS image subtitles `eng`. The muxer may shift all
 * timestamps by the AAC priming (~21 ms): read exact cue times from the file, not from the constant.
 */
export async function makeTracksMedia(
  options: MediaOptions & { cues?: typeof tracksMediaCues } = {},
): Promise<string> {
  const seconds = options.seconds ?? 5;
  const size = options.size ?? '160x120';
  const dir = options.dir ?? cacheDir;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${options.name ?? `tracks-${seconds}s-${size}`}.mkv`);
  if (existsSync(path)) return path;
  const { renameSync, rmSync, writeFileSync } = await import('node:fs');
  const srtPath = `${path}.input.srt`;
  const supPath = `${path}.input.sup`;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const stamp = (ms: number) =>
    `00:${pad(Math.floor(ms / 60_000))}:${pad(Math.floor(ms / 1000) % 60)},${pad(ms % 1000, 3)}`;
  writeFileSync(
    srtPath,
    (options.cues ?? tracksMediaCues)
      .map((c, i) => `${i + 1}\n${stamp(c.start)} --> ${stamp(c.end)}\n${c.text}\n`)
      .join('\n'),
  );
  writeFileSync(supPath, pgsBytes());
  const tmp = `${path}.part.mkv`;
  try {
    const inputs = [
      ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=24:duration=${seconds}`],
      ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
      ['-f', 'lavfi', '-i', `sine=frequency=880:sample_rate=48000:duration=${seconds}`],
      ['-f', 'srt', '-i', srtPath],
      ['-f', 'sup', '-i', supPath],
    ].flat();
    const outputs = [
      '-map 0:v -map 1:a -map 2:a -map 3:s -map 4:s',
      '-c:v libx264 -preset ultrafast -g 24 -pix_fmt yuv420p -c:a aac -c:s:0 srt -c:s:1 copy',
      '-metadata:s:a:0 language=eng -metadata:s:a:1 language=fra -metadata:s:a:1 title=Français',
      '-metadata:s:s:0 language=eng -metadata:s:s:0 title=English -metadata:s:s:1 language=eng',
      '-disposition:v:0 default -disposition:a:0 default -disposition:a:1 0',
    ].flatMap((group) => group.split(' '));
    const { ffmpeg } = await tools();
    await run(ffmpeg, ['-v', 'error', '-y', ...inputs, ...outputs, '-t', String(seconds), tmp]);
    renameSync(tmp, path);
  } finally {
    rmSync(srtPath, { force: true });
    rmSync(supPath, { force: true });
  }
  return path;
}
