import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CueTrack } from '../../../src/stream/hls/cue-track.js';
import type { Cue } from '../../../src/stream/vtt.js';
import { settled } from '../../helpers/settled.js';

const cue = (start: number, end = start + 500): Cue => ({ start, end, text: `${start}` });

test('a wait ends once a cue starting at or after its time has arrived, not before', async () => {
  const track = new CueTrack();
  track.add(cue(1000));
  const until4 = track.through(4000);
  track.add(cue(3999, 4500));
  assert.equal(await settled(until4), false, 'a cue may still start before 4 s');
  track.add(cue(4000));
  assert.deepEqual(
    (await until4).map((c) => c.start),
    [1000, 3999, 4000],
  );
  // Already passed: answered at once.
  assert.equal((await track.through(2000)).length, 3);
});

test('an open-ended wait (the last segment) needs the end of the track', async () => {
  const track = new CueTrack();
  const last = track.through(Number.POSITIVE_INFINITY);
  track.add(cue(100_000));
  assert.equal(await settled(last), false);
  track.end();
  assert.equal((await last).length, 1);
  track.add(cue(200_000));
  assert.equal(track.cues.length, 1, 'nothing is added after the end');
});

test('cues out of order are kept in start order', () => {
  const track = new CueTrack();
  for (const start of [1000, 3000, 2000, 500]) track.add(cue(start));
  assert.deepEqual(
    track.cues.map((c) => c.start),
    [500, 1000, 2000, 3000],
  );
});

test('a failure rejects only the waits the cues so far do not cover', async () => {
  const track = new CueTrack();
  track.add(cue(1000));
  track.add(cue(5000));
  const uncovered = track.through(8000);
  const failure = Object.assign(new Error('FFmpeg failed'), { statusCode: 502 });
  track.fail(failure);
  await assert.rejects(uncovered, failure);
  await assert.rejects(track.through(Number.POSITIVE_INFINITY), failure);
  assert.equal((await track.through(4000)).length, 2, 'segments before the failure are still whole');
});

test('a client leaving ends its own wait only', async () => {
  const track = new CueTrack();
  const leaving = new AbortController();
  const first = track.through(4000, leaving.signal);
  const second = track.through(4000);
  leaving.abort();
  await assert.rejects(first, { name: 'AbortError' });
  track.add(cue(6000));
  assert.equal((await second).length, 1);
  await assert.rejects(track.through(1, AbortSignal.abort()), { name: 'AbortError' });
});
