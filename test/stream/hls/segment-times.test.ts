import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fixedSegmentTimes,
  keyframeSegmentTimes,
  type SegmentTimes,
  segmentAt,
} from '../../../src/stream/hls/segment-times.js';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function assertWellFormed(t: SegmentTimes, duration: number) {
  assert.equal(t.starts[0], 0);
  assert.equal(t.starts.length, t.durations.length);
  assert.ok(Math.abs(sum(t.durations) - duration) < 0.001, `durations add up to ${sum(t.durations)}`);
  for (const d of t.durations) assert.ok(d > 0 && d <= 6 + 1e-9, `segment of ${d} s`);
  for (let i = 1; i < t.starts.length; i++) {
    assert.ok(Math.abs(t.starts[i - 1]! + t.durations[i - 1]! - t.starts[i]!) < 1e-9, 'segments touch');
  }
}

test('fixed segments: a 2 s first one for a quick start, then every 4 s', () => {
  const t = fixedSegmentTimes(11);
  assert.deepEqual(t.starts, [0, 2, 6, 10]);
  assertWellFormed(t, 11);
  assert.deepEqual(fixedSegmentTimes(1.5).starts, [0]);
  assert.deepEqual(fixedSegmentTimes(2.5).starts, [0], 'a sub-second tail joins the first segment');
});

test('fixed segments: every 4 s, the last one shorter, summing to the duration', () => {
  const fixed = (duration: number, length = 4) => fixedSegmentTimes(duration, length, length);
  const t = fixed(10.5);
  assert.deepEqual(t.starts, [0, 4, 8]);
  assert.deepEqual(t.durations, [4, 4, 2.5]);
  assertWellFormed(t, 10.5);
  assert.deepEqual(fixed(8).durations, [4, 4], 'an exact multiple makes no empty segment');
  assert.deepEqual(fixed(1.2).durations, [1.2]);
  const sliver = fixed(8.021);
  assert.deepEqual(sliver.starts, [0, 4], 'a 21 ms tail joins the last segment');
  assertWellFormed(sliver, 8.021);
  assert.deepEqual(fixed(12, 5.8).starts, [0, 5.8, 11.6], 'unless that would pass 6 s');
  assertWellFormed(fixedSegmentTimes(7213.37), 7213.37);
  assert.throws(() => fixedSegmentTimes(0), RangeError);
  assert.throws(() => fixedSegmentTimes(Number.NaN), RangeError);
});

test('keyframe segments start on keyframes, first at 0 even when the first keyframe is 0.04', () => {
  const keys = [0.04, 2.04, 4.04, 6.04, 8.04, 10.04];
  const t = keyframeSegmentTimes(keys, 12)!;
  assert.deepEqual(
    t.starts,
    [0, 2.04, 6.04],
    'the first cut comes at 2 s, then 4 s on (the 5.96 s tail is one)',
  );
  assertWellFormed(t, 12);
  for (const s of t.starts.slice(1)) assert.ok(keys.includes(s), `${s} is a keyframe`);
});

test('keyframe segments: cut at the first keyframe ≥ 4 s on, or the last within 6 s', () => {
  // From 0: first ≥ 4 is 7 (too far), so 3.5; from 3.5: first ≥ 7.5 is 9.
  const t = keyframeSegmentTimes([0, 1, 3.5, 7, 9, 12], 14, { first: 4 })!;
  assert.deepEqual(t.starts, [0, 3.5, 9]);
  assertWellFormed(t, 14);
});

test('keyframe segments: irregular real-world GOPs stay within 6 s and add up', () => {
  const keys = [0];
  let x = 0;
  for (let i = 0; i < 500; i++) {
    x += 0.4 + ((i * 7919) % 50) / 10; // 0.4–5.3 s apart
    keys.push(x);
  }
  const duration = x + 1.7;
  const t = keyframeSegmentTimes(keys, duration)!;
  assertWellFormed(t, duration);
  for (const s of t.starts.slice(1)) assert.ok(keys.includes(s));
});

test('keyframe segments: a GOP longer than 6 s makes copied video ineligible (null)', () => {
  assert.equal(keyframeSegmentTimes([0, 2, 4, 12, 14], 16), null);
  assert.equal(keyframeSegmentTimes([0], 10), null, 'a single keyframe for 10 s');
  assert.ok(keyframeSegmentTimes([0], 5.9), 'a short file with one keyframe is one segment');
  assert.equal(keyframeSegmentTimes([0, 4, 8], 15), null, 'the tail after the last keyframe is 7 s');
});

test('keyframe segments ignore keyframes at or past the end', () => {
  const t = keyframeSegmentTimes([0, 4, 8, 11.99, 12, 13], 12, { first: 4 })!;
  assert.deepEqual(t.starts, [0, 4, 8]);
  assertWellFormed(t, 12);
});

test('segmentAt finds the segment holding a time, clamping outside the file', () => {
  const t = keyframeSegmentTimes([0.04, 2.04, 4.04, 6.04, 8.04, 10.04], 12, { first: 4 })!; // 0, 4.04, 8.04
  assert.equal(segmentAt(t, 0), 0);
  assert.equal(segmentAt(t, 4.03), 0);
  assert.equal(segmentAt(t, 4.04), 1);
  assert.equal(segmentAt(t, 8.5), 2);
  assert.equal(segmentAt(t, 99), 2);
  assert.equal(segmentAt(t, -1), 0);
  const many = fixedSegmentTimes(4000, 4, 4);
  for (const time of [0, 3.999, 4, 1234.5, 3999.9]) assert.equal(segmentAt(many, time), Math.floor(time / 4));
});
