import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildFfmpegArgs } from '../../src/stream/ffmpeg-args.js';
import { runFfmpeg } from '../../src/stream/ffmpeg-runner.js';
import type { Plan } from '../../src/stream/plan.js';
import { tools } from '../helpers/media.js';
import { alive } from './stream-helpers.js';

const plan = (
  video: 'copy' | 'h264' | null,
  audio: 'copy' | 'aac' | null,
  input: Plan['input'] = { kind: 'pipe', format: 'matroska,webm' },
): Plan => ({
  mode: video === 'h264' || audio === 'aac' ? 'transcode' : 'remux',
  video: video && { stream: 3, action: video },
  audio: audio && { stream: 5, action: audio },
  input,
  mime: 'video/mp4',
  reason: 'test',
});

test('args: pipe input with the demuxer hint, chosen streams only, fragmented MP4 on stdout', () => {
  const args = buildFfmpegArgs(plan('copy', 'aac'));
  const joined = args.join(' ');
  assert.match(joined, /-f matroska,webm -i pipe:0/);
  assert.match(joined, /-map 0:3 -c:v copy -map 0:5 -c:a aac -ac 2/);
  assert.match(
    joined,
    /-f mp4 -movflags frag_keyframe\+empty_moov\+default_base_moof -frag_duration 500000 pipe:1$/,
  );
  assert.ok(!args.includes('-nostdin'));
  assert.ok(!args.includes('-ss'));
});

test('args: h264 with keyframes at most 2 s apart; seekable input seeks before -i without a format hint', () => {
  const args = buildFfmpegArgs(
    plan('h264', null, { kind: 'seekable', startTime: 12.5 }),
    'http://127.0.0.1:1/x',
  );
  const joined = args.join(' ');
  assert.match(joined, /-ss 12\.500 -i http:\/\/127\.0\.0\.1:1\/x/);
  assert.ok(!joined.includes('-f avi'));
  assert.match(
    joined,
    /-c:v libx264 -preset veryfast -pix_fmt yuv420p -force_key_frames expr:gte\(t,n_forced\*2\)/,
  );
  assert.ok(!joined.includes('-map 0:5'));
});

test('runFfmpeg keeps the last stderr lines and reports the exit code', async () => {
  const { ffmpeg } = await tools();
  const proc = runFfmpeg(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-i', '/nonexistent/input.mkv']);
  const { code } = await proc.exited;
  assert.notEqual(code, 0);
  assert.match(proc.stderrTail().join('\n'), /No such file or directory/);
  assert.equal(alive(proc.pid), false);
});

test('kill() on a running FFmpeg resolves only once it is gone; twice is fine', async () => {
  // Reads stdin forever: never exits on its own.
  const proc = runFfmpeg((await tools()).ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'u8',
    '-i',
    'pipe:0',
    '-f',
    'null',
    '-',
  ]);
  proc.stdin?.write(Buffer.alloc(1000));
  assert.equal(alive(proc.pid), true);
  await proc.kill();
  assert.equal(alive(proc.pid), false);
  await proc.kill();
  const status = await proc.exited;
  assert.ok(status.signal !== null || status.code !== 0);
});

test('a binary that does not exist: exited resolves, the error is in the stderr tail', async () => {
  const proc = runFfmpeg('/nonexistent/ffmpeg', []);
  assert.deepEqual(await proc.exited, { code: null, signal: null });
  assert.match(proc.stderrTail().join('\n'), /ENOENT/);
  await proc.kill();
});
