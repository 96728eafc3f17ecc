import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMELINE_BASE } from '../../../src/stream/hls/segment-args.js';
import type { SegmentTimes } from '../../../src/stream/hls/segment-times.js';
import {
  segmentCues,
  segmentSpan,
  VTT_SEGMENT_HEADER,
  vttSegment,
} from '../../../src/stream/hls/vtt-segments.js';
import { type Cue, parseCues } from '../../../src/stream/vtt.js';

/** Cut like copied video: keyframe times with float noise, the last segment short. */
const times: SegmentTimes = { starts: [0, 4.0000001, 8.041], durations: [4.0000001, 4.0409999, 2.5] };

const cue = (start: number, end: number, text = `${start}`): Cue => ({ start, end, text });

test('the header maps playlist time 0 to the media time the fMP4 segments give it', () => {
  assert.equal(TIMELINE_BASE, 10);
  assert.equal(VTT_SEGMENT_HEADER, 'WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n');
  assert.ok(vttSegment([cue(100, 200)], times, 0).startsWith(VTT_SEGMENT_HEADER));
});

test('spans are the playlist boundaries rounded to the millisecond; the last one is open', () => {
  assert.deepEqual(segmentSpan(times, 0), { start: 0, end: 4000 });
  assert.deepEqual(segmentSpan(times, 1), { start: 4000, end: 8041 });
  assert.deepEqual(segmentSpan(times, 2), { start: 8041, end: Number.POSITIVE_INFINITY });
  assert.throws(() => segmentSpan(times, 3), RangeError);
  assert.throws(() => segmentSpan(times, -1), RangeError);
});

test('a cue is in every segment it overlaps, [start, end) — boundary cues in both, unchanged', () => {
  const cues = [
    cue(0, 500, 'at zero'),
    cue(3000, 4000, 'ends on the cut'),
    cue(3900, 4100, 'across the cut'),
    cue(4000, 4500, 'starts on the cut'),
    cue(2000, 9000, 'across two cuts'),
    cue(8040, 8041, 'last millisecond of 1'),
    cue(11_000, 12_000, 'past the duration'),
  ];
  const texts = (n: number) => segmentCues(cues, times, n).map((c) => c.text);
  assert.deepEqual(texts(0), ['at zero', 'ends on the cut', 'across the cut', 'across two cuts']);
  assert.deepEqual(texts(1), [
    'across the cut',
    'starts on the cut',
    'across two cuts',
    'last millisecond of 1',
  ]);
  assert.deepEqual(texts(2), ['across two cuts', 'past the duration']);
  // Unchanged times: a player recognises the repeat and shows the cue once.
  const across = parseCues(vttSegment(cues, times, 1)).find((c) => c.text === 'across the cut');
  assert.deepEqual(across, { start: 3900, end: 4100, text: 'across the cut' });
  // Every cue is somewhere.
  const union = new Set([0, 1, 2].flatMap(texts));
  assert.equal(union.size, cues.length);
});

test('an empty segment is the header alone, a valid WebVTT file', () => {
  const text = vttSegment([cue(500, 900)], times, 1);
  assert.equal(text, VTT_SEGMENT_HEADER);
  assert.deepEqual(parseCues(text), []);
  assert.equal(vttSegment([], times, 0), VTT_SEGMENT_HEADER);
});

test('cue text is escaped as WebVTT needs; tags, entities, ids and settings survive', () => {
  const cues: Cue[] = [
    {
      id: 'one',
      start: 1000,
      end: 2000,
      settings: 'line:0 align:start',
      text: 'Fish & chips <3 --> <i>yes</i>',
    },
    { start: 2500, end: 3000, text: 'Tom &amp; Jerry' },
  ];
  const text = vttSegment(cues, times, 0);
  assert.equal(
    text,
    `${VTT_SEGMENT_HEADER}one\n00:00:01.000 --> 00:00:02.000 line:0 align:start\n` +
      'Fish &amp; chips &lt;3 --&gt; <i>yes</i>\n\n' +
      '00:00:02.500 --> 00:00:03.000\nTom &amp; Jerry\n\n',
  );
  assert.equal(parseCues(text).length, 2);
});
