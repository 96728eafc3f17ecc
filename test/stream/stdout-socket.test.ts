/**
 * A job whose stdout is read into one reused buffer (`readBuffer: 'reused'`): every byte arrives exactly
 * though the buffer is overwritten by the next read, the next read waits for the output's write callback
 * (backpressure reaches FFmpeg), and stopping still reaps FFmpeg.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { FfmpegJob } from '../../src/stream/ffmpeg-job.js';
import { ControllableSource, patternBytes } from '../helpers/controllable-source.js';
import { alive, collector, withFfmpeg } from './stream-helpers.js';

const ffmpeg = withFfmpeg();

/** Raw 8-bit samples in and out unchanged: every byte in is a byte out. */
const copyArgs = (input: string) => [
  ...['-hide_banner', '-loglevel', 'error', '-f', 'u8', '-ar', '8000', '-ac', '1', '-i', input],
  ...['-f', 'u8', '-ar', '8000', '-ac', '1', 'pipe:1'],
];

function copyJob<Output extends Writable>(data: Buffer, output: Output) {
  return FfmpegJob.start({
    binary: ffmpeg.tools.ffmpeg,
    args: copyArgs,
    input: { kind: 'pipe', source: new ControllableSource(data, { available: true }) },
    output,
    readBuffer: 'reused',
  });
}

/** A destination that answers no write until `release`; `writes` counts the writes it was given. */
function heldDestination() {
  const pending: Array<() => void> = [];
  const chunks: Buffer[] = [];
  let writes = 0;
  let released = false;
  const sink = new Writable({
    write(chunk: Buffer, _enc, callback) {
      writes++;
      const answer = () => {
        chunks.push(Buffer.from(chunk));
        callback();
      };
      if (released) answer();
      else pending.push(answer);
    },
  });
  return {
    sink,
    writes: () => writes,
    bytes: () => Buffer.concat(chunks),
    /** Answers what waits, and from then on every write at once. */
    release() {
      released = true;
      for (const answer of pending.splice(0)) answer();
    },
  };
}

test('every byte arrives unchanged though each read reuses the buffer of the last', async () => {
  const data = patternBytes(3_000_000);
  const sink = collector(true); // copies a chunk only as its write calls back
  const job = copyJob(data, sink);
  const result = await job.done;
  assert.equal(result.outcome, 'complete', result.error?.message);
  assert.equal(result.bytesOut, data.length);
  assert.ok(sink.chunks.length > 1, 'more than one read');
  assert.ok(sink.bytes().equals(data), 'the output differs from the input');
  assert.equal(alive(job.pid), false);
});

test('a destination that does not call back holds FFmpeg at one chunk; released, all of it arrives', async () => {
  const data = patternBytes(3_000_000);
  const held = heldDestination();
  const job = copyJob(data, held.sink);
  while (held.writes() === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  // Time for FFmpeg to write on, were the reads not held back.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(held.writes(), 1, 'a read past a chunk not yet called back');
  assert.ok(held.sink.writableLength <= 64 * 1024);
  assert.equal(alive(job.pid), true, 'FFmpeg finished although its output was held');
  held.release();
  const result = await job.done;
  assert.equal(result.outcome, 'complete', result.error?.message);
  assert.ok(held.bytes().equals(data), 'the output differs from the input');
});

test('stop() while the destination holds a chunk reaps FFmpeg; so does the destination going away', async () => {
  const data = patternBytes(3_000_000);
  for (const how of ['stop', 'destroy'] as const) {
    const held = heldDestination();
    const job = copyJob(data, held.sink);
    while (held.writes() === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    if (how === 'stop') await job.stop();
    else held.sink.destroy();
    const result = await job.done;
    assert.equal(result.outcome, 'stopped', how);
    assert.equal(alive(job.pid), false, `${how}: FFmpeg still running`);
    assert.ok(result.bytesOut < data.length, how);
  }
});

test('stopped before its stdout socket is open, FFmpeg never starts', async () => {
  const job = copyJob(patternBytes(1000), collector());
  const stopped = job.stop();
  assert.equal(job.pid, -1);
  await stopped;
  const result = await job.done;
  assert.equal(result.outcome, 'stopped');
  assert.equal(job.pid, -1);
  assert.equal(job.output.destroyed, true);
});

test('with no temp folder to open the socket in, the job reads an ordinary pipe, as exactly', async () => {
  const data = patternBytes(1_000_000);
  const sink = collector(true);
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = '/nonexistent/streamtide-test'; // os.tmpdir() reads it at each call
  let job: ReturnType<typeof copyJob>;
  try {
    job = copyJob(data, sink); // the socket's folder is made before the job's first await
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  const result = await job.done;
  assert.equal(result.outcome, 'complete', result.error?.message);
  assert.ok(sink.bytes().equals(data), 'the output differs from the input');
});
