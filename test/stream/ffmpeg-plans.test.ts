import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalFileSource } from '../../src/stream/local-file-source.js';
import { probeSource } from '../../src/stream/media-info.js';
import { planStream, type StreamMode } from '../../src/stream/plan.js';
import { decodedDuration, ffprobe, type MediaKind, makeMedia } from '../helpers/media.js';
import { alive, streamToEnd, topBoxes, withFfmpeg, writeTemp } from './stream-helpers.js';

const ffmpeg = withFfmpeg();

async function open(kind: MediaKind) {
  const path = await makeMedia(kind);
  const source = await LocalFileSource.open(path);
  const info = await probeSource(source, ffmpeg.tools, { seekable: ffmpeg.seekable });
  return { path, source, info };
}

/** Streams `kind` through FFmpeg with its plan and checks the output's codecs and duration. */
async function streamAndCheck(
  kind: MediaKind,
  expect: { mode: StreamMode; video: string; audio: string; force?: StreamMode },
) {
  const { path, source, info } = await open(kind);
  try {
    const plan = planStream(info, expect.force ? { mode: expect.force } : {});
    assert.equal(plan.mode, expect.mode, plan.reason);
    const { streamer, bytes, result } = await streamToEnd({
      source,
      plan,
      info,
      ...ffmpeg,
    });
    assert.equal(alive(streamer.pid), false);
    assert.deepEqual(
      topBoxes(bytes)
        .slice(0, 3)
        .map((b) => b.type),
      ['ftyp', 'moov', 'moof'],
    );
    const out = writeTemp(bytes, `${kind}.mp4`);
    const probed = await ffprobe(out);
    assert.match(probed.format.format_name, /mp4/);
    assert.deepEqual(
      probed.streams.map((s) => `${s.codec_type}:${s.codec_name}`),
      [`video:${expect.video}`, `audio:${expect.audio}`],
    );
    const [want, got] = [await decodedDuration(path), await decodedDuration(out)];
    assert.ok(Math.abs(want - got) <= 0.5, `duration ${got} vs source ${want}`);
    return { plan, result, info };
  } finally {
    await source.close();
  }
}

test('AVI (mpeg4+mp3): video transcoded to h264, audio copied', async () => {
  const { plan, result } = await streamAndCheck('avi-mpeg4-mp3', {
    mode: 'transcode',
    video: 'h264',
    audio: 'mp3',
  });
  assert.deepEqual([plan.video?.action, plan.audio?.action], ['h264', 'copy']);
  assert.ok(result.bytesIn > 0);
});

test('MKV h264+aac: both copied (remux)', async () => {
  const { plan } = await streamAndCheck('mkv-h264-aac', { mode: 'remux', video: 'h264', audio: 'aac' });
  assert.deepEqual([plan.video?.action, plan.audio?.action], ['copy', 'copy']);
});

test('MKV h264+ac3: only the audio re-encoded to aac', async () => {
  const { plan } = await streamAndCheck('mkv-h264-ac3', { mode: 'transcode', video: 'h264', audio: 'aac' });
  assert.deepEqual([plan.video?.action, plan.audio?.action], ['copy', 'aac']);
});

test('MKV HEVC: video transcoded, aac copied', async () => {
  const { plan } = await streamAndCheck('mkv-hevc-aac', { mode: 'transcode', video: 'h264', audio: 'aac' });
  assert.deepEqual([plan.video?.action, plan.audio?.action], ['h264', 'copy']);
});

test('MP4 (moov first): direct, video/mp4', async () => {
  const { source, info } = await open('mp4');
  await source.close();
  assert.equal(info.container, 'mp4');
  assert.equal(info.moovAtEnd, false);
  const plan = planStream(info);
  assert.deepEqual([plan.mode, plan.mime], ['direct', 'video/mp4']);
});

test('MP4 moov-at-end: direct with moovAtEnd, and a forced remux works through the seekable input', async () => {
  const { plan, info, result } = await streamAndCheck('mp4-moov-end', {
    mode: 'remux',
    force: 'remux',
    video: 'h264',
    audio: 'aac',
  });
  assert.equal(info.moovAtEnd, true);
  assert.ok(info.duration !== null && Math.abs(info.duration - 4) < 0.5);
  assert.equal(planStream(info).mode, 'direct');
  assert.equal(plan.input.kind, 'seekable');
  assert.ok(result.bytesIn > 0, 'bytes were read through the seekable input');
});

test('WebM (vp9+opus): direct, and reported as webm not matroska', async () => {
  const { source, info } = await open('webm');
  await source.close();
  assert.equal(info.container, 'webm');
  assert.equal(info.formatName, 'matroska,webm');
  const plan = planStream(info);
  assert.deepEqual([plan.mode, plan.mime], ['direct', 'video/webm']);
});

test('audio only (no video in the plan): fragments still come out, cut by time', async () => {
  const { source, info } = await open('mkv-h264-aac');
  try {
    const audio = info.streams.find((s) => s.type === 'audio')!;
    const plan = {
      ...planStream(info),
      video: null,
      audio: { stream: audio.index, action: 'copy' as const },
    };
    const { bytes } = await streamToEnd({ source, plan, info, tools: ffmpeg.tools });
    assert.ok(
      topBoxes(bytes).filter((b) => b.type === 'moof').length >= 3,
      'one fragment per second of audio',
    );
    const probed = await ffprobe(bytes);
    assert.deepEqual(
      probed.streams.map((s) => `${s.codec_type}:${s.codec_name}`),
      ['audio:aac'],
    );
  } finally {
    await source.close();
  }
});
