import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { FfmpegJob } from '../../src/stream/ffmpeg-job.js';
import { collectText } from '../../src/stream/ffmpeg-runner.js';
import { ControllableSource, patternBytes } from '../helpers/controllable-source.js';
import { alive, withFfmpeg } from './stream-helpers.js';

const ffmpeg = withFfmpeg();

/** Raw 8-bit samples in and out unchanged: every byte in is a byte out. */
const copyArgs = (input: string) => [
  ...['-hide_banner', '-loglevel', 'error', '-f', 'u8', '-ar', '8000', '-ac', '1', '-i', input],
  ...['-f', 'u8', '-ar', '8000', '-ac', '1', 'pipe:1'],
];

test('pipe input: the pump feeds stdin, the result counts bytes both ways with the exit status', async () => {
  const data = patternBytes(200_000);
  const job = FfmpegJob.start({
    binary: ffmpeg.tools.ffmpeg,
    args: copyArgs,
    input: { kind: 'pipe', source: new ControllableSource(data, { available: true }) },
  });
  const [out, result] = await Promise.all([collectText(job.output), job.done]);
  assert.equal(result.outcome, 'complete', result.error?.message);
  assert.deepEqual([result.bytesIn, result.bytesOut, out.length > 0], [data.length, data.length, true]);
  assert.deepEqual(result.exit, { code: 0, signal: null });
  assert.equal(alive(job.pid), false);
});

test('seekable input: FFmpeg reads the URL, and the registration ends with the job', async () => {
  const data = patternBytes(100_000);
  let url = '';
  const job = FfmpegJob.start({
    binary: ffmpeg.tools.ffmpeg,
    args: (input) => {
      url = input;
      return copyArgs(input);
    },
    input: {
      kind: 'seekable',
      source: new ControllableSource(data, { available: true }),
      server: ffmpeg.seekable,
    },
  });
  job.output.resume();
  const result = await job.done;
  assert.equal(result.outcome, 'complete', result.error?.message);
  assert.equal(result.bytesIn, data.length);
  // FFmpeg asks the seekable input, its proxy, for the whole URL, which names a closed loopback port.
  assert.match(url, /^http:\/\/127\.0\.0\.1:9\/\w+$/);
  const gone = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: ffmpeg.seekable.port, path: url }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(gone, 404);
});

test('stop() (or the signal) ends a waiting job as stopped, reaped, its output destroyed; twice is fine', async () => {
  const source = new ControllableSource(patternBytes(1_000_000));
  source.release(0, 100_000);
  const abort = new AbortController();
  const job = FfmpegJob.start({
    binary: ffmpeg.tools.ffmpeg,
    args: copyArgs,
    input: { kind: 'pipe', source },
    signal: abort.signal,
  });
  job.output.resume();
  await source.whenWaiting();
  abort.abort();
  await job.stop();
  const result = await job.done;
  assert.equal(result.outcome, 'stopped');
  assert.equal(result.error?.code, 'STOPPED');
  assert.equal(alive(job.pid), false);
  assert.equal(job.output.destroyed, true);
  assert.equal(source.waiting, 0);
});

test('a failure destroys the output with the error when asked, and says why', async () => {
  const job = FfmpegJob.start({
    binary: ffmpeg.tools.ffmpeg,
    args: (input) => ['-hide_banner', '-loglevel', 'error', '-f', 'matroska', '-i', input, '-f', 'null', '-'],
    input: { kind: 'pipe', source: new ControllableSource(patternBytes(50_000), { available: true }) },
    failedOutput: 'destroy',
  });
  const errored = new Promise<unknown>((resolve) => job.output.once('error', resolve));
  const result = await job.done;
  assert.equal(result.outcome, 'failed');
  assert.equal(result.error?.code, 'FFMPEG_FAILED');
  assert.equal(result.error?.statusCode, 502);
  assert.ok(result.stderr.length > 0);
  assert.equal(await errored, result.error);
});

test('output FFmpeg wrote before exiting reaches a consumer that pulls only afterwards', async () => {
  // Less than the pipe and the streams' buffers hold, so FFmpeg can write it all and exit unread.
  const data = patternBytes(100_000);
  const job = FfmpegJob.start({
    binary: ffmpeg.tools.ffmpeg,
    args: copyArgs,
    input: { kind: 'pipe', source: new ControllableSource(data, { available: true }) },
  });
  // A bounded wait, not an assertion: the point is only to pull late.
  for (let i = 0; i < 250 && alive(job.pid); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  const chunks: Buffer[] = [];
  for await (const chunk of job.output) chunks.push(chunk as Buffer);
  const result = await job.done;
  assert.equal(result.outcome, 'complete', result.error?.message);
  assert.equal(Buffer.concat(chunks).length, data.length, 'every byte FFmpeg wrote');
});

for (const readBuffer of ['fresh', 'reused'] as const) {
  test(`a spawn that throws is a start that failed: done resolves, nothing is left (${readBuffer} reads)`, async () => {
    const job = FfmpegJob.start({
      binary: ffmpeg.tools.ffmpeg,
      // A NUL byte in an argument makes spawn() throw at once.
      args: (input) => [...copyArgs(input), 'bad\0arg'],
      input: { kind: 'pipe', source: new ControllableSource(patternBytes(1000), { available: true }) },
      readBuffer,
    });
    const result = await job.done;
    assert.equal(result.outcome, 'failed');
    assert.equal(result.error?.code, 'FFMPEG_START');
    assert.equal(job.pid, -1);
    await job.stop();
  });
}
