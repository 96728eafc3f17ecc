/**
 * Packet timelines of the HLS tests, read by ffprobe, with the checks the contract asks of them (no hole or
 * overlap beyond one frame, keyframes where segments start). The client is in hls-client.ts, the init
 * segment's codec strings in sample-entry.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bufferSource } from '../../src/stream/data-source.js';
import { tsLayout, withoutServiceNames } from '../../src/stream/ts-service-filter.js';
import { tools } from '../helpers/media.js';

const run = promisify(execFile);

export interface Packet {
  stream: number;
  /** The stream's codec_type: video, audio. */
  kind: string;
  pts: number;
  dts: number;
  duration: number;
  key: boolean;
}

/** Every packet of a file or URL (stream index, times in seconds, keyframe flag), in file order. */
/**
 * What ffprobe can read: an MPEG-TS goes through the product's SDT filter first (a copy beside it), since
 * the npm ffprobe crashes decoding TS service names (src/stream/ts-service-filter.ts).
 */
async function probeable(file: string): Promise<string> {
  if (!file.endsWith('.ts')) return file;
  const bytes = await readFile(file);
  const layout = tsLayout(bytes.subarray(0, 64 * 1024));
  if (!layout) return file;
  const filtered = withoutServiceNames(bufferSource(bytes, file), layout);
  const copy = `${file}.nosdt.ts`;
  await writeFile(copy, await filtered.read(0, bytes.length));
  return copy;
}

export async function packets(file: string, select?: string): Promise<Packet[]> {
  const { ffprobe } = await tools();
  const input = await probeable(file);
  const { stdout } = await run(
    ffprobe,
    [
      ...['-v', 'error', ...(select ? ['-select_streams', select] : [])],
      ...[
        '-show_entries',
        'packet=stream_index,pts_time,dts_time,duration_time,flags:stream=index,codec_type',
      ],
      ...['-of', 'json', input],
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const json = JSON.parse(stdout) as {
    packets?: Array<Record<string, string | number>>;
    streams?: Array<{ index: number; codec_type: string }>;
  };
  const kinds = new Map((json.streams ?? []).map((s) => [s.index, s.codec_type]));
  return (json.packets ?? []).map((p) => ({
    stream: Number(p.stream_index),
    kind: kinds.get(Number(p.stream_index)) ?? '',
    pts: Number(p.pts_time),
    dts: Number(p.dts_time),
    duration: Number(p.duration_time),
    key: String(p.flags).includes('K'),
  }));
}

/** Writes the init segment and segments behind it into one file (what a player's buffer holds). */
export async function joined(dir: string, name: string, init: Buffer, segments: Buffer[]): Promise<string> {
  const file = join(dir, `${name}.mp4`);
  await writeFile(file, Buffer.concat([init, ...segments]));
  return file;
}

export interface Timeline {
  /** Presentation start of the first packet and end of the last (pts + duration), in seconds. */
  start: number;
  end: number;
  /** The usual packet duration: what "one frame" is. */
  frame: number;
  count: number;
}

/**
 * Asserts one stream's packets, in presentation order, follow each other without a hole or an overlap
 * longer than one frame, and that no presentation time repeats. Returns the span they cover.
 */
export function assertContinuous(list: Packet[], what: string): Timeline {
  assert.ok(list.length > 0, `${what}: no packets`);
  const sorted = [...list].sort((a, b) => a.pts - b.pts);
  // ffprobe gives no duration for some packets in fMP4 (FLAC, Opus): then one frame is the usual step.
  const steps = sorted.slice(1).map((p, i) => p.pts - sorted[i]!.pts);
  const frame = median(sorted.map((p) => p.duration).filter((d) => d > 0)) || median(steps);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const step = sorted[i]!.pts - previous.pts;
    const expected = previous.duration > 0 ? previous.duration : frame;
    assert.ok(
      step > expected / 2 && step <= expected * 2 + 0.001,
      `${what}: packet at ${sorted[i]!.pts.toFixed(3)} s follows one at ${previous.pts.toFixed(3)} s lasting ` +
        `${expected.toFixed(3)} s (a ${step > expected ? 'hole' : 'overlap'})`,
    );
  }
  const last = sorted[sorted.length - 1]!;
  return { start: sorted[0]!.pts, end: last.pts + (last.duration || frame), frame, count: sorted.length };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Seconds of a file as ffprobe tells them (format duration). */
export async function fileDuration(file: string): Promise<number> {
  const { ffprobe } = await tools();
  const { stdout } = await run(ffprobe, [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    await probeable(file),
  ]);
  return Number(stdout.trim());
}

/** Runs FFmpeg, returning its stderr (the caller asserts it is empty: no decode error). */
export async function ffmpegRun(args: string[]): Promise<string> {
  const { ffmpeg } = await tools();
  const { stderr } = await run(ffmpeg, ['-hide_banner', '-v', 'error', ...args], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stderr;
}

/**
 * How many frames a video's packets span at its frame rate, first to last: what an encode at that constant
 * rate holds (a dropped frame in the source, as AVIs have, is a frame of the encode).
 */
export function frameSlots(list: Packet[], frameRate: number): number {
  const pts = list.map((p) => p.pts).sort((a, b) => a - b);
  return Math.round((pts[pts.length - 1]! - pts[0]!) * frameRate) + 1;
}

/** The video's frame rate (r_frame_rate) as ffprobe reads it. */
export async function frameRate(file: string): Promise<number> {
  const { ffprobe } = await tools();
  const { stdout } = await run(ffprobe, [
    ...[
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=r_frame_rate',
      '-of',
      'csv=p=0',
      await probeable(file),
    ],
  ]);
  const [num, den] = stdout.trim().split('/').map(Number);
  return num! / (den || 1);
}
