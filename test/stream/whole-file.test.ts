/**
 * A source complete on disk goes to FFmpeg as its stdin descriptor, with no pump: the output is the same
 * as the pumped one, and stop() still kills and reaps. A growing file, a filtered (TS SDT) source and a
 * head-only read (probing) still go through the pump.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bufferSource } from '../../src/stream/data-source.js';
import { FfmpegJob, type JobInput } from '../../src/stream/ffmpeg-job.js';
import { collectText } from '../../src/stream/ffmpeg-runner.js';
import { LocalFileSource } from '../../src/stream/local-file-source.js';
import { probeSource } from '../../src/stream/media-info.js';
import { planStream } from '../../src/stream/plan.js';
import { withoutServiceNames } from '../../src/stream/ts-service-filter.js';
import { openWholeFile } from '../../src/stream/whole-file.js';
import { patternBytes } from '../helpers/controllable-source.js';
import { makeMedia } from '../helpers/media.js';
import { alive, streamToEnd, withFfmpeg, writeTemp } from './stream-helpers.js';

const ffmpeg = withFfmpeg();

/** Raw 8-bit samples in and out unchanged; `-re` reads them at their rate (8000 bytes/s). */
const copyArgs = (realtime: boolean) => (input: string) => [
  ...['-hide_banner', '-loglevel', 'error', ...(realtime ? ['-re'] : [])],
  ...['-f', 'u8', '-ar', '8000', '-ac', '1', '-i', input, '-f', 'u8', '-ar', '8000', '-ac', '1', 'pipe:1'],
];

function copy(input: JobInput, realtime = false) {
  return FfmpegJob.start({ binary: ffmpeg.tools.ffmpeg, args: copyArgs(realtime), input });
}

test('a complete local file is FFmpeg stdin itself: no pump, every byte through, counted once done', async () => {
  const data = patternBytes(300_000);
  const source = await LocalFileSource.open(writeTemp(data, 'whole.u8'));
  try {
    assert.equal(source.completePath(), source.path);
    const job = copy({ kind: 'pipe', source });
    assert.equal(job.pump, null, 'no pump for a complete file');
    const [out, result] = await Promise.all([collectText(job.output), job.done]);
    assert.equal(result.outcome, 'complete', result.error?.message);
    assert.deepEqual([result.bytesIn, result.bytesOut, out.length], [data.length, data.length, data.length]);
    assert.equal(alive(job.pid), false);
  } finally {
    await source.close();
  }
});

test('a remux of a complete local file is byte for byte the pumped remux', async () => {
  const path = await makeMedia('mkv-h264-aac', { seconds: 4 });
  const file = await LocalFileSource.open(path);
  try {
    const info = await probeSource(file, ffmpeg.tools, { seekable: ffmpeg.seekable });
    const plan = planStream(info, { mode: 'remux' });
    assert.equal(plan.input.kind, 'pipe');
    const direct = await streamToEnd({ source: file, plan, info, tools: ffmpeg.tools });
    assert.equal(direct.streamer.pump, null);
    const pumpedSource = bufferSource(readFileSync(path), file.name);
    const pumped = await streamToEnd({ source: pumpedSource, plan, info, tools: ffmpeg.tools });
    assert.ok(pumped.streamer.pump);
    assert.ok(direct.bytes.length > 0);
    assert.ok(direct.bytes.equals(pumped.bytes), 'the same fragmented MP4 either way');
    assert.equal(direct.result.bytesIn, pumped.result.bytesIn);
  } finally {
    await file.close();
  }
});

test('a growing file, a filtered source and a head-only read still go through the pump', async () => {
  const data = patternBytes(188 * 500);
  const path = writeTemp(data, 'partial.ts');
  const growing = await LocalFileSource.open(path, { expectedSize: data.length + 188 });
  const whole = await LocalFileSource.open(path);
  try {
    assert.equal(growing.completePath(), null, 'not all there yet');
    const filtered = withoutServiceNames(whole, { packet: 188, prefix: 0 });
    assert.equal(filtered.completePath, undefined, 'the filter changes bytes: no path forwarded');
    assert.equal(openWholeFile(whole, { end: 1000 }), null, 'only part of the file is wanted');
    assert.equal(openWholeFile(whole, { start: 188 }), null);
    const jobs = [
      copy({ kind: 'pipe', source: filtered }),
      copy({ kind: 'pipe', source: whole, pump: { end: 1000 } }),
    ];
    for (const job of jobs) {
      assert.ok(job.pump, 'pumped');
      job.output.resume();
      assert.equal((await job.done).outcome, 'complete');
    }
    const pending = copy({ kind: 'pipe', source: growing });
    assert.ok(pending.pump, 'a growing file is pumped');
    pending.output.resume();
    await pending.stop(); // it would wait for the missing packet
    assert.equal(alive(pending.pid), false);
  } finally {
    await Promise.all([growing.close(), whole.close()]);
  }
});

test('stop() kills and reaps FFmpeg reading a file given as its stdin', async () => {
  const source = await LocalFileSource.open(writeTemp(patternBytes(400_000), 'slow.u8'));
  try {
    const job = copy({ kind: 'pipe', source }, true); // ~50 s at the samples' own rate
    assert.equal(job.pump, null);
    const first = new Promise((resolve) => job.output.once('data', resolve));
    await first;
    assert.equal(alive(job.pid), true);
    await job.stop();
    const result = await job.done;
    assert.equal(result.outcome, 'stopped');
    assert.equal(alive(job.pid), false);
    assert.equal(job.output.destroyed, true);
  } finally {
    await source.close();
  }
});

test('a file that no longer holds the source size is not given as stdin', async () => {
  const data = patternBytes(10_000);
  const liar = {
    ...bufferSource(data, 'liar.u8'),
    completePath: () => writeTemp(data.subarray(1), 'short.u8'),
  };
  assert.equal(openWholeFile(liar), null);
  const job = copy({ kind: 'pipe', source: liar });
  assert.ok(job.pump, 'falls back to the pump');
  job.output.resume();
  assert.equal((await job.done).bytesIn, data.length);
});
