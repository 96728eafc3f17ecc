import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { KeyframeIndexError, type ReadAt, readKeyframes } from '../../../src/stream/keyframes/index.js';
import { keyframeMedia, type Recipe } from './keyframe-media.js';

const memory =
  (buf: Buffer, log?: Array<[number, number]>): ReadAt =>
  async (offset, length) => {
    log?.push([offset, length]);
    return buf.subarray(offset, offset + length);
  };

/** Resolves with the index, null, or the KeyframeIndexError; anything else thrown fails the test. */
async function outcome(buf: Buffer, container: string) {
  try {
    return await readKeyframes(memory(buf), buf.length, container);
  } catch (err) {
    if (err instanceof KeyframeIndexError) return err;
    throw err;
  }
}

const containers: Array<[Recipe, string]> = [
  ['mkv-cues-end', 'matroska'],
  ['mkv-cues-front', 'matroska'],
  ['mp4-moov-end', 'mp4'],
  ['mp4-moov-first', 'mp4'],
  ['avi-h264', 'avi'],
];

test('garbage and empty inputs: null or a KeyframeIndexError, never another error', async () => {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed & 0xff;
  };
  for (const container of ['matroska', 'mp4', 'avi']) {
    for (const length of [0, 1, 7, 12, 100, 4096]) {
      const buf = Buffer.from(Array.from({ length }, random));
      await outcome(buf, container);
    }
  }
  await assert.rejects(
    readKeyframes(memory(Buffer.from('hello world, not a video')), 24, 'avi'),
    /not a RIFF/,
  );
  await assert.rejects(readKeyframes(memory(Buffer.alloc(64, 0xaa)), 64, 'matroska'), KeyframeIndexError);
});

test('truncated files: null or a KeyframeIndexError, unless the index sits before the cut', async () => {
  for (const [kind, container] of containers) {
    const whole = await readFile(await keyframeMedia(kind));
    const full = await readKeyframes(memory(whole), whole.length, container);
    for (const fraction of [0.001, 0.01, 0.5, 0.99]) {
      const result = await outcome(whole.subarray(0, Math.floor(whole.length * fraction)), container);
      // Cues or moov at the front are usable before the rest arrives (a torrent's first pieces).
      if (result && 'times' in result)
        assert.deepEqual(result.times, full?.times, `${kind} cut at ${fraction}`);
    }
  }
  // The front-indexed files do give their index from the first percent alone.
  for (const [kind, container] of [
    ['mkv-cues-front', 'matroska'],
    ['mp4-moov-first', 'mp4'],
  ] as const) {
    const whole = await readFile(await keyframeMedia(kind));
    const head = whole.subarray(0, Math.floor(whole.length * 0.05));
    assert.equal((await readKeyframes(memory(head), head.length, container))?.times.length, 10, kind);
  }
});

test('corrupted index bytes: always terminates with an index, null or a KeyframeIndexError', async () => {
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (const [kind, container] of containers) {
    const whole = await readFile(await keyframeMedia(kind));
    // Corrupt where the index readers look: the head and the tail (Cues, moov, idx1 sit there).
    for (let round = 0; round < 150; round++) {
      const buf = Buffer.from(whole);
      for (let i = 0; i < 4; i++) {
        const inHead = random(2) === 0;
        const at = inHead ? random(4096) : buf.length - 1 - random(16384);
        buf[at] = random(256);
      }
      const result = await outcome(buf, container);
      if (result && 'times' in result) {
        for (const t of result.times) assert.ok(Number.isFinite(t), `${kind}: finite times`);
      }
    }
  }
});

test('an aborted signal stops the read, whatever the container', async () => {
  const signal = AbortSignal.abort();
  for (const [kind, container] of containers) {
    const whole = await readFile(await keyframeMedia(kind));
    await assert.rejects(readKeyframes(memory(whole), whole.length, container, { signal }), {
      name: 'AbortError',
    });
  }
});

test('unknown containers: null without reading', async () => {
  const log: Array<[number, number]> = [];
  assert.equal(await readKeyframes(memory(Buffer.alloc(100), log), 100, 'mpegts'), null);
  assert.equal(await readKeyframes(memory(Buffer.alloc(100), log), 100, 'flv'), null);
  assert.equal(log.length, 0);
});
