/** Shared bits of the stream tests: running a streamer to the end and checking what came out. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before } from 'node:test';
import { promisify } from 'node:util';
import { type FfmpegTools, locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';
import {
  ProgressiveStreamer,
  type StreamerOptions,
  type StreamResult,
} from '../../src/stream/progressive-streamer.js';
import { SeekableInputServer } from '../../src/stream/seekable-input.js';

const run = promisify(execFile);

/**
 * A destination keeping a copy of every chunk, made only as the write calls back (`later`: a millisecond
 * later, past the loop's next reads): a chunk lent from a buffer its writer reuses too soon is copied wrong.
 */
export function collector(later = false): Writable & { chunks: Buffer[]; bytes(): Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, callback) {
      const keep = () => {
        chunks.push(Buffer.from(chunk));
        callback();
      };
      if (later) setTimeout(keep, 1);
      else keep();
    },
  });
  return Object.assign(sink, { chunks, bytes: () => Buffer.concat(chunks) });
}

/** Sends the streamer's output to a collector once it is ready (as the server does); the bytes and result. */
export async function drain(streamer: ProgressiveStreamer): Promise<{ bytes: Buffer; result: StreamResult }> {
  const sink = collector(true);
  await streamer.ready.catch(() => undefined);
  streamer.sendTo(sink);
  const result = await streamer.done;
  return { bytes: sink.bytes(), result };
}

export function writeTemp(bytes: Buffer, name: string): string {
  const path = join(tmpdir(), `streamtide-out-${process.pid}-${Date.now()}-${name}`);
  writeFileSync(path, bytes);
  return path;
}

/** True while a process with this PID exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Top-level MP4 boxes of a buffer, in order. */
export function topBoxes(buf: Buffer): Array<{ type: string; offset: number; size: number }> {
  const boxes: Array<{ type: string; offset: number; size: number }> = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    let size = buf.readUInt32BE(offset);
    if (size === 1) size = Number(buf.readBigUInt64BE(offset + 8));
    if (size < 8) break;
    boxes.push({ type: buf.toString('latin1', offset + 4, offset + 8), offset, size });
    offset += size;
  }
  return boxes;
}

/**
 * The video's timestamps as a player sees them: packet pts and dts in decode order, and the pts of the
 * decoded frames in display order (which must rise if the copied or re-encoded frames are in order).
 */
export async function videoTimestamps(
  path: string,
): Promise<{ pts: number[]; dts: number[]; shown: number[] }> {
  const probe = async (entries: string) => {
    const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', entries, '-of', 'csv=p=0', path];
    const { stdout } = await run((await locateFfmpeg()).ffprobe, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout.split('\n').filter((line) => line.trim() !== '');
  };
  const packets = (await probe('packet=pts,dts')).map((line) => line.split(',').map(Number));
  const frames = (await probe('frame=pts')).map((line) => Number(line.split(',')[0]));
  return { pts: packets.map((p) => p[0]!), dts: packets.map((p) => p[1]!), shown: frames };
}

/** How many steps of `values` do not rise (a duplicate, a step back, or a missing value). */
export function notRising(values: number[]): number {
  return values.filter((v, i) => i > 0 && !(v > values[i - 1]!)).length;
}

/** FFmpeg's idet on the video: how many frames look interlaced (combed) and how many progressive. */
export async function interlaceDetection(path: string): Promise<{ interlaced: number; progressive: number }> {
  const args = ['-hide_banner', '-nostats', '-i', path, '-map', '0:v:0', '-vf', 'idet', '-f', 'null', '-'];
  const { stderr } = await run((await locateFfmpeg()).ffmpeg, args, { maxBuffer: 16 * 1024 * 1024 });
  const line = /Multi frame detection: TFF:\s*(\d+) BFF:\s*(\d+) Progressive:\s*(\d+)/.exec(stderr);
  if (!line) throw new Error(`no idet summary in: ${stderr.slice(-500)}`);
  return { interlaced: Number(line[1]) + Number(line[2]), progressive: Number(line[3]) };
}

/** The located FFmpeg and a seekable input server for a test file: ready before its tests, closed after. */
export function withFfmpeg(): { tools: FfmpegTools; seekable: SeekableInputServer } {
  const fixture = {} as { tools: FfmpegTools; seekable: SeekableInputServer };
  before(async () => {
    fixture.tools = await locateFfmpeg();
    fixture.seekable = await SeekableInputServer.start();
  });
  after(() => fixture.seekable?.close());
  return fixture;
}

/** Streams through FFmpeg to the end; fails the test unless the stream completed. */
export async function streamToEnd(
  options: StreamerOptions,
): Promise<{ streamer: ProgressiveStreamer; bytes: Buffer; result: StreamResult }> {
  const streamer = ProgressiveStreamer.start(options);
  const { bytes, result } = await drain(streamer);
  assert.equal(result.outcome, 'complete', result.error?.message);
  return { streamer, bytes, result };
}
