/**
 * The pure side of seeks: which keyframe a seek starts at, the bytes it needs first, FFmpeg's arguments for
 * an exact start, and the prefetch helper's reader lifetime.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DataSource, ReadOptions } from '../../src/stream/data-source.js';
import { buildFfmpegArgs } from '../../src/stream/ffmpeg-args.js';
import type { KeyframeIndex } from '../../src/stream/keyframes/index.js';
import { planStream } from '../../src/stream/plan.js';
import { prefetch } from '../../src/stream/prefetch.js';
import {
  ESTIMATE_AFTER_BYTES,
  ESTIMATE_BEFORE_BYTES,
  estimatedRegion,
  keyframeAtOrBefore,
  startAtKeyframe,
  TARGET_BYTES,
  targetRegion,
} from '../../src/stream/seek-point.js';
import { fakeInfo as info, fakeStream as s } from './fake-media.js';

const index: KeyframeIndex = {
  track: 1,
  times: [0.021, 2.021, 4.021, 6.021],
  duration: 8,
  byteOffsets: [700, 9000, 19000, 28000],
};

test('keyframeAtOrBefore: the last keyframe not after t, in the file timeline', () => {
  assert.deepEqual(keyframeAtOrBefore(index, 5, 0), { time: 4.021, byteOffset: 19000 });
  assert.deepEqual(keyframeAtOrBefore(index, 4.021, 0), { time: 4.021, byteOffset: 19000 }, 'exactly on it');
  assert.deepEqual(keyframeAtOrBefore(index, 100, 0), { time: 6.021, byteOffset: 28000 });
  assert.deepEqual(keyframeAtOrBefore(index, 0.01, 0), { time: 0.021, byteOffset: 700 }, 'before all');
  // A file starting at 2 s of source time: t=3 of the file is 5 s of source time.
  const shifted = keyframeAtOrBefore(index, 3, 2);
  assert.ok(shifted && Math.abs(shifted.time - 2.021) < 1e-9, JSON.stringify(shifted));
  assert.equal(keyframeAtOrBefore({ ...index, times: [] }, 3, 0), null);
  const noOffsets = keyframeAtOrBefore({ ...index, byteOffsets: undefined }, 3, 0);
  assert.deepEqual(noOffsets, { time: 2.021 });
});

test('startAtKeyframe applies to seeks of copied video only', () => {
  const mkv = info('matroska', [s(0, 'video', 'h264'), s(1, 'audio', 'aac')]);
  const point = { time: 4.021 };
  const seek = planStream(mkv, { t: 5 });
  assert.deepEqual(startAtKeyframe(seek, point, mkv).input, {
    kind: 'seekable',
    startTime: 4.021,
    keyframe: 'in-order',
  });
  const reordered = info('matroska', [s(0, 'video', 'h264', { hasBFrames: true }), s(1, 'audio', 'aac')]);
  const bSeek = startAtKeyframe(planStream(reordered, { t: 5 }), point, reordered);
  assert.equal(bSeek.input.kind === 'seekable' && bSeek.input.keyframe, 'reordered');
  const transcode = planStream(mkv, { t: 5, mode: 'transcode' });
  assert.equal(startAtKeyframe(transcode, point, mkv), transcode);
  const fromStart = planStream(mkv, {});
  assert.equal(startAtKeyframe(fromStart, point, mkv), fromStart);
});

test('an exact start aims FFmpeg just past the keyframe, shifted back to 0, with no output trim', () => {
  const mkv = info('matroska', [s(0, 'video', 'h264'), s(1, 'audio', 'aac')]);
  const plan = startAtKeyframe(planStream(mkv, { t: 5 }), { time: 4.021 }, mkv);
  const args = buildFfmpegArgs(plan, 'http://127.0.0.1:1/x').join(' ');
  assert.match(args, /-ss 4\.022000 -itsoffset 0\.001000 -i http/);
  assert.doesNotMatch(args, /-i \S+ .*-ss/, 'no output -ss');
  const reordered = { ...plan, input: { ...plan.input, keyframe: 'reordered' as const } };
  // FFmpeg aims 3/23 s early for B-frame video: that much later again.
  assert.match(buildFfmpegArgs(reordered, 'u').join(' '), /-ss 4\.152435 -itsoffset 0\.131435 -i u/);
  const plain = buildFfmpegArgs(planStream(mkv, { t: 5 }), 'u').join(' ');
  assert.match(plain, /-ss 5\.000 -i u -ss 0 /, 'a seek without an index keeps the output trim');
});

test('target and estimated regions', () => {
  assert.deepEqual(targetRegion({ time: 4, byteOffset: 1000 }, 100e6), {
    offset: 1000,
    length: TARGET_BYTES,
  });
  assert.deepEqual(targetRegion({ time: 4, byteOffset: 1000 }, 3000), { offset: 1000, length: 2000 });
  assert.equal(targetRegion({ time: 4 }, 3000), null);
  const size = 100 * 1024 * 1024;
  const at = size * 0.8;
  assert.deepEqual(estimatedRegion(size, 80, 100), {
    offset: at - ESTIMATE_BEFORE_BYTES,
    length: ESTIMATE_BEFORE_BYTES + ESTIMATE_AFTER_BYTES,
  });
  assert.deepEqual(estimatedRegion(size, 200, 100), {
    offset: size - ESTIMATE_BEFORE_BYTES,
    length: ESTIMATE_BEFORE_BYTES,
  });
  assert.equal(estimatedRegion(size, 80, null), null);
  assert.equal(estimatedRegion(1000, 1, 100)?.offset, 0);
});

/** A source whose reads wait until the test settles them, recording each read's signal. */
function recordingSource() {
  const reads: Array<{ offset: number; length: number; signal?: AbortSignal; settle: (e?: Error) => void }> =
    [];
  const source: DataSource = {
    size: 1000,
    name: 'x',
    read: (offset: number, length: number, options?: ReadOptions) =>
      new Promise<Buffer>((resolve, reject) => {
        const settle = (err?: Error) => (err ? reject(err) : resolve(Buffer.alloc(length)));
        reads.push({ offset, length, signal: options?.signal, settle });
        options?.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
      }),
    close: () => undefined,
  };
  return { source, reads };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('prefetch reads with a signal of its own, dropped once the read is done', async () => {
  const { source, reads } = recordingSource();
  const stream = new AbortController();
  prefetch(source, 100, 200, stream.signal);
  assert.equal(reads.length, 1);
  const [read] = reads;
  assert.deepEqual([read!.offset, read!.length], [100, 200]);
  assert.notEqual(read!.signal, stream.signal, 'its own reader');
  assert.equal(read!.signal?.aborted, false);
  read!.settle();
  await turn();
  assert.equal(read!.signal?.aborted, true, 'the reader goes once its bytes are in');
  assert.equal(stream.signal.aborted, false);

  // A failure is swallowed; the stream ending aborts a pending prefetch.
  prefetch(source, 0, 10, stream.signal);
  reads[1]!.settle(new Error('the torrent went away'));
  prefetch(source, 500, 10, stream.signal);
  stream.abort();
  await turn();
  assert.equal(reads[2]!.signal?.aborted, true);
  prefetch(source, 0, 10, stream.signal);
  assert.equal(reads.length, 3, 'nothing starts after the stream ended');
});
