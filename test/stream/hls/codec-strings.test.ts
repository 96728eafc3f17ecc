import assert from 'node:assert/strict';
import { test } from 'node:test';
import { audioCodec, codecString, encodedH264 } from '../../../src/stream/hls/codec-strings.js';
import { h264Level, levelName } from '../../../src/stream/hls/h264-level.js';

test('our H.264 encodes: High profile, level from resolution and rate', () => {
  assert.equal(encodedH264(1920, 1080, 30), 'avc1.640028'); // 4.0
  assert.equal(encodedH264(1920, 1080, 24), 'avc1.640028');
  assert.equal(encodedH264(1920, 1080, 60), 'avc1.64002A'); // 4.2
  assert.equal(encodedH264(1280, 720, 30), 'avc1.64001F'); // 3.1
  assert.equal(encodedH264(640, 360), 'avc1.64001E'); // 3.0, the floor
  assert.equal(encodedH264(3840, 2160, 30), 'avc1.640033'); // 5.1
  assert.equal(levelName(h264Level(1920, 1080, 30)), '4.0');
});

test('copied H.264 from the probe profile and level', () => {
  assert.equal(codecString({ codec: 'h264', profile: 'High', level: 41 }), 'avc1.640029');
  assert.equal(codecString({ codec: 'h264', profile: 'Main', level: 31 }), 'avc1.4D401F');
  assert.equal(codecString({ codec: 'h264', profile: 'Constrained Baseline', level: 30 }), 'avc1.42C01E');
  assert.equal(codecString({ codec: 'h264', profile: 'High 10', level: 51 }), 'avc1.6E0033');
  assert.equal(
    codecString({ codec: 'h264', profile: 'High', level: 9 }),
    'avc1.640009',
    'High level 1b as stored',
  );
  // Unknown profile and level: High at the level the picture needs.
  assert.equal(codecString({ codec: 'h264', width: 1920, height: 1080, frameRate: 24 }), 'avc1.640028');
  assert.equal(codecString({ codec: 'h264', bitDepth: 10, width: 1280, height: 720 }), 'avc1.6E001F');
});

test('HEVC, AV1 and VP9 strings', () => {
  assert.equal(codecString({ codec: 'hevc', profile: 'Main', level: 93 }), 'hvc1.1.6.L93.90');
  assert.equal(codecString({ codec: 'hevc', profile: 'Main 10', level: 150 }), 'hvc1.2.4.L150.90');
  assert.equal(codecString({ codec: 'hevc', width: 3840, height: 2160, bitDepth: 10 }), 'hvc1.2.4.L153.90');
  assert.equal(codecString({ codec: 'av1', profile: 'Main', level: 8 }), 'av01.0.08M.08');
  assert.equal(codecString({ codec: 'av1', profile: 'Main', level: 12, bitDepth: 10 }), 'av01.0.12M.10');
  assert.equal(codecString({ codec: 'av1' }), 'av01.0.08M.08');
  assert.equal(codecString({ codec: 'vp9', profile: 'Profile 0', level: -99 }), 'vp09.00.40.08');
  assert.equal(codecString({ codec: 'vp9', profile: 'Profile 2', bitDepth: 10 }), 'vp09.02.40.10');
});

test('audio strings; WebVTT and unknown codecs are not listed', () => {
  assert.equal(audioCodec({ codec: 'aac', profile: 'LC' }), 'mp4a.40.2');
  assert.equal(audioCodec({ codec: 'aac' }), 'mp4a.40.2');
  assert.equal(audioCodec({ codec: 'aac', profile: 'HE-AAC' }), 'mp4a.40.5');
  assert.equal(audioCodec({ codec: 'aac', profile: 'HE-AACv2' }), 'mp4a.40.29');
  assert.equal(audioCodec({ codec: 'ac3' }), 'ac-3');
  assert.equal(audioCodec({ codec: 'eac3' }), 'ec-3');
  assert.equal(audioCodec({ codec: 'opus' }), 'Opus');
  assert.equal(audioCodec({ codec: 'flac' }), 'fLaC');
  assert.equal(codecString({ codec: 'webvtt' }), null);
  assert.equal(codecString({ codec: 'dts' }), null);
});
