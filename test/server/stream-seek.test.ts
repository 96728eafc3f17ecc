/**
 * Exact seeks on the progressive stream, through the real server and real FFmpeg: copied video starts at
 * the keyframe at or before t (from the file's keyframe index), audio with it, and X-Stream-Start says
 * where that is; a transcode starts at t itself; a file without an index seeks as FFmpeg alone does.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type MediaKind, makeMedia, tools } from '../helpers/media.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
/** An AAC frame at 48 kHz. */
const AUDIO_FRAME = 1024 / 48_000;

interface Packet {
  type: 'video' | 'audio';
  pts: number;
  dts: number;
  key: boolean;
}

let server: TestServer;
let work: string;

before(async () => {
  server = await startTestServer();
  work = await mkdtemp(join(tmpdir(), 'streamtide-seek-'));
});
after(() => server.close());

/** Every packet of a file, in file order, with its stream's type. */
async function packets(path: string): Promise<Packet[]> {
  const args = ['-v', 'error', '-show_entries', 'packet=codec_type,pts_time,dts_time,flags', '-of', 'json'];
  const { stdout } = await run((await tools()).ffprobe, [...args, path], { maxBuffer: 64 * 1024 * 1024 });
  const raw = JSON.parse(stdout) as {
    packets: Array<{ codec_type: string; pts_time?: string; dts_time?: string; flags: string }>;
  };
  return raw.packets
    .filter((p) => p.codec_type === 'video' || p.codec_type === 'audio')
    .map((p) => ({
      type: p.codec_type as Packet['type'],
      pts: Number(p.pts_time),
      dts: Number(p.dts_time ?? p.pts_time),
      key: p.flags.startsWith('K'),
    }));
}

async function formatOf(path: string): Promise<{ start: number; duration: number }> {
  const args = ['-v', 'error', '-show_entries', 'format=start_time,duration', '-of', 'json', path];
  const { stdout } = await run((await tools()).ffprobe, args);
  const { format } = JSON.parse(stdout) as { format: { start_time: string; duration: string } };
  return { start: Number(format.start_time), duration: Number(format.duration) };
}

async function streamUrl(kind: MediaKind, seconds = 10): Promise<{ path: string; url: string }> {
  const path = await makeMedia(kind, { seconds });
  const entry = await server.catalog.addLocalFile(path);
  return { path, url: `${server.url}/stream/${entry.infoHash}/0` };
}

async function save(response: Response, name: string): Promise<string> {
  const path = join(work, name);
  writeFileSync(path, await bodyBytes(response));
  return path;
}

describe('a remux seek starts at the keyframe at or before t', () => {
  for (const kind of ['mkv-gop2', 'mkv-gop2-bframes'] as const) {
    it(`${kind}: t=5 starts at the keyframe of 4 s, audio with it`, async () => {
      const { path, url } = await streamUrl(kind);
      const source = await packets(path);
      const { start, duration } = await formatOf(path);
      // FFmpeg's own view of the source: the last keyframe at or before 5 s of the file's timeline.
      const keyframe = source
        .filter((p) => p.type === 'video' && p.key && p.pts - start <= 5)
        .reduce((last, p) => Math.max(last, p.pts), Number.NEGATIVE_INFINITY);
      assert.ok(Math.abs(keyframe - start - 4) < 0.1, `the source's keyframe before 5 s is ${keyframe}`);

      const head = await fetch(`${url}?t=5`, { method: 'HEAD' });
      const response = await fetch(`${url}?t=5`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-stream-mode'), 'remux');
      const startHeader = response.headers.get('x-stream-start');
      assert.equal(startHeader, (keyframe - start).toFixed(3));
      assert.equal(head.headers.get('x-stream-start'), startHeader, 'HEAD says the same');
      const left = Number(response.headers.get('x-content-duration'));
      assert.ok(Math.abs(left - (duration - Number(startHeader))) < 0.002, `X-Content-Duration ${left}`);

      const out = await packets(await save(response, `${kind}-t5.mp4`));
      const video = out.filter((p) => p.type === 'video');
      const audio = out.filter((p) => p.type === 'audio');
      assert.ok(video[0]?.key, 'the first video packet is a keyframe');
      assert.equal(video[0]!.dts, 0, 'decoded first, at output time 0');
      // Every frame from that keyframe on, and none before it: not the keyframe after t (a frozen
      // picture), nor the one before that.
      const fromKeyframe = source.filter((p) => p.type === 'video' && p.pts >= keyframe - 1e-6);
      assert.equal(video.length, fromKeyframe.length);
      // B-frames show the keyframe after the reorder delay; audio starts with its decoding.
      const shown = Math.min(...video.map((p) => p.pts));
      assert.ok(shown < (kind === 'mkv-gop2' ? 1e-6 : 0.1), `first picture shown at ${shown}`);
      if (kind === 'mkv-gop2') assert.equal(video[0]!.pts, 0);
      assert.ok(
        Math.abs(audio[0]!.pts - video[0]!.dts) <= AUDIO_FRAME + 1e-3,
        `audio starts at ${audio[0]!.pts}, video at ${video[0]!.dts}`,
      );
    });
  }

  it('an MP4 forced to remux seeks by its moov index the same way', async () => {
    const { path, url } = await streamUrl('mp4');
    const response = await fetch(`${url}?t=2.5&mode=remux`);
    assert.equal(response.headers.get('x-stream-mode'), 'remux');
    // Keyframes every second (-g 24 at 24 fps).
    assert.equal(response.headers.get('x-stream-start'), '2.000');
    const out = await packets(await save(response, 'mp4-t2.5.mp4'));
    const video = out.filter((p) => p.type === 'video');
    assert.ok(video[0]?.key && video[0].pts === 0, JSON.stringify(video[0]));
    const fromKeyframe = (await packets(path)).filter((p) => p.type === 'video' && p.pts >= 2 - 1e-6);
    assert.equal(video.length, fromKeyframe.length);
  });
});

describe('X-Stream-Start elsewhere', () => {
  it('a transcode starts at t itself', async () => {
    const { path, url } = await streamUrl('mkv-gop2');
    const response = await fetch(`${url}?t=5&mode=transcode`);
    assert.equal(response.headers.get('x-stream-mode'), 'transcode');
    assert.equal(response.headers.get('x-stream-start'), '5.000');
    const { duration } = await formatOf(path);
    const left = Number(response.headers.get('x-content-duration'));
    assert.ok(Math.abs(left - (duration - 5)) < 0.002, `X-Content-Duration ${left}`);
    await response.arrayBuffer();
  });

  it('a file without a keyframe index (MPEG-TS) starts at t as before', async () => {
    const { url } = await streamUrl('ts-h264-aac', 8);
    for (const method of ['HEAD', 'GET']) {
      const response = await fetch(`${url}?t=2.5`, { method });
      assert.equal(response.headers.get('x-stream-mode'), 'remux');
      assert.equal(response.headers.get('x-stream-start'), '2.500', method);
      await response.arrayBuffer();
    }
  });

  it('a stream from the start says 0', async () => {
    const { url } = await streamUrl('mkv-gop2');
    const response = await fetch(url);
    assert.equal(response.headers.get('x-stream-start'), '0.000');
    await response.arrayBuffer();
  });
});
