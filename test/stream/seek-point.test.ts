/** The pure side of seeks: which keyframe a seek starts at, and FFmpeg's arguments for an exact start. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildFfmpegArgs } from '../../src/stream/ffmpeg-args.js';
import type { KeyframeIndex } from '../../src/stream/keyframes/index.js';
import { planStream } from '../../src/stream/plan.js';
import { keyframeAtOrBefore, startAtKeyframe } from '../../src/stream/seek-point.js';
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
