import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readKeyframes } from '../../../src/stream/keyframes/index.js';
import {
  countingReader,
  FORCED,
  keyframeMedia,
  probedKeyframes,
  type Recipe,
  SECONDS,
} from './keyframe-media.js';

/** Each file's keyframes as FFmpeg sees them, from the index alone, reading a small part of the file. */
const cases: Array<{ kind: Recipe; container: string; tolerance: number }> = [
  { kind: 'mkv-cues-end', container: 'matroska', tolerance: 0.001 },
  { kind: 'mkv-cues-front', container: 'matroska', tolerance: 0.001 },
  { kind: 'webm', container: 'webm', tolerance: 0.001 },
  { kind: 'mp4-moov-end', container: 'mp4', tolerance: 0.001 },
  { kind: 'mp4-moov-first', container: 'mp4', tolerance: 0.001 },
  { kind: 'mov', container: 'mov,mp4,m4a,3gp,3g2,mj2', tolerance: 0.001 },
  // AVI has no timestamps: frame index × frame duration, within one frame of FFmpeg's.
  { kind: 'avi-mpeg4', container: 'avi', tolerance: 1 / 24 + 0.001 },
  { kind: 'avi-h264', container: 'avi', tolerance: 1 / 24 + 0.001 },
];

for (const { kind, container, tolerance } of cases) {
  test(`${kind}: keyframe times from the index match ffprobe's, reading only headers and the index`, async () => {
    const path = await keyframeMedia(kind);
    const expected = await probedKeyframes(path);
    const file = await countingReader(path);
    try {
      const index = await readKeyframes(file.read, file.size, container);
      assert.ok(index, 'an index');
      assert.equal(index.times.length, expected.length, `${index.times} vs ${expected}`);
      index.times.forEach((t, i) => {
        assert.ok(Math.abs(t - expected[i]!) <= tolerance, `keyframe ${i}: ${t} vs ${expected[i]}`);
      });
      // The forced times themselves (the muxer may start the video a few ms late).
      assert.equal(index.times.length, FORCED.length);
      for (const [i, t] of index.times.entries())
        assert.ok(Math.abs(t - FORCED[i]!) < 0.05, `${t} vs ${FORCED[i]}`);
      assert.ok(
        index.duration !== null && Math.abs(index.duration - SECONDS) < 0.2,
        `duration ${index.duration}`,
      );
      assert.ok(
        file.stats.bytes < file.size * 0.05,
        `read ${file.stats.bytes} of ${file.size} bytes in ${file.stats.reads} reads`,
      );
      assert.ok(file.stats.reads <= 40, `${file.stats.reads} reads`);
      // Byte offsets, where given, point into the file in the keyframes' order.
      if (index.byteOffsets) {
        assert.equal(index.byteOffsets.length, index.times.length);
        for (let i = 1; i < index.byteOffsets.length; i++) {
          assert.ok(index.byteOffsets[i]! > index.byteOffsets[i - 1]!);
        }
        assert.ok(index.byteOffsets.at(-1)! < file.size);
      }
    } finally {
      await file.close();
    }
  });
}

test('MP4 byte offsets point at the keyframes themselves (an H.264 IDR NAL unit follows the length)', async () => {
  const path = await keyframeMedia('mp4-moov-end');
  const file = await countingReader(path);
  try {
    const index = await readKeyframes(file.read, file.size, 'mp4');
    assert.ok(index?.byteOffsets);
    for (const at of index.byteOffsets) {
      // x264's first sample of an IDR access unit: SEI/SPS/PPS or the IDR slice itself (type 5, 6, 7 or 9).
      const nal = (await file.read(at + 4, 1))[0]! & 0x1f;
      assert.ok([5, 6, 7, 9].includes(nal), `NAL type ${nal} at ${at}`);
    }
  } finally {
    await file.close();
  }
});

test('AVI byte offsets point at the keyframes chunk data (idx1 entry = chunk header)', async () => {
  const path = await keyframeMedia('avi-h264');
  const file = await countingReader(path);
  try {
    const index = await readKeyframes(file.read, file.size, 'avi');
    assert.ok(index?.byteOffsets);
    for (const at of index.byteOffsets) {
      const id = (await file.read(at - 8, 4)).toString('latin1');
      assert.equal(id, `${String(index.track).padStart(2, '0')}dc`);
    }
  } finally {
    await file.close();
  }
});

test('Matroska byte offsets are the Clusters holding the keyframes', async () => {
  const path = await keyframeMedia('mkv-cues-end');
  const file = await countingReader(path);
  try {
    const index = await readKeyframes(file.read, file.size, 'matroska');
    assert.ok(index?.byteOffsets);
    for (const at of index.byteOffsets) assert.equal((await file.read(at, 4)).toString('hex'), '1f43b675');
  } finally {
    await file.close();
  }
});

const none: Array<{ kind: Recipe; container: string; why: string }> = [
  { kind: 'mkv-live', container: 'matroska', why: 'written to a pipe: no Cues, unknown sizes' },
  { kind: 'mp4-fragmented', container: 'mp4', why: 'fragmented: the samples are in moofs' },
  { kind: 'ts', container: 'mpegts', why: 'MPEG-TS has no index' },
];
for (const { kind, container, why } of none) {
  test(`${kind}: no usable index (${why}) → null, after reading only headers`, async () => {
    const path = await keyframeMedia(kind);
    const file = await countingReader(path);
    try {
      assert.equal(await readKeyframes(file.read, file.size, container), null);
      assert.ok(file.stats.bytes < 4096, `read ${file.stats.bytes} bytes`);
    } finally {
      await file.close();
    }
  });
}
