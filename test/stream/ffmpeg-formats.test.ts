/**
 * The layouts real torrents carry beyond MKV/MP4: broadcast TS with ADTS AAC, H.264 with B-frames in
 * AVI, interlaced video, audio-only files, 10-bit H.264, HEVC for a client that decodes it. Each is probed,
 * planned and streamed through FFmpeg, and the output is checked with ffprobe (codecs, duration, timestamps).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCaps } from '../../src/stream/client-caps.js';
import { buildFfmpegArgs } from '../../src/stream/ffmpeg-args.js';
import { LocalFileSource } from '../../src/stream/local-file-source.js';
import { type MediaInfo, probeSource } from '../../src/stream/media-info.js';
import { type Plan, type PlanRequest, planStream, type StreamMode } from '../../src/stream/plan.js';
import { decodedDuration, ffprobe, type MediaKind, makeMedia } from '../helpers/media.js';
import {
  interlaceDetection,
  notRising,
  streamToEnd,
  topBoxes,
  videoTimestamps,
  withFfmpeg,
  writeTemp,
} from './stream-helpers.js';

const ffmpeg = withFfmpeg();

async function probe(kind: MediaKind): Promise<{ path: string; info: MediaInfo }> {
  const path = await makeMedia(kind);
  const source = await LocalFileSource.open(path);
  try {
    return { path, info: await probeSource(source, ffmpeg.tools, { seekable: ffmpeg.seekable }) };
  } finally {
    await source.close();
  }
}

/** Streams `kind` with its plan (or a forced mode, or a client's caps); returns the plan and the output's path. */
async function stream(
  kind: MediaKind,
  mode?: StreamMode | PlanRequest,
): Promise<{ plan: Plan; out: string }> {
  const { path, info } = await probe(kind);
  const source = await LocalFileSource.open(path);
  try {
    const plan = planStream(info, typeof mode === 'string' ? { mode } : (mode ?? {}));
    const { bytes } = await streamToEnd({
      source,
      plan,
      info,
      ...ffmpeg,
    });
    assert.deepEqual(
      topBoxes(bytes)
        .slice(0, 2)
        .map((b) => b.type),
      ['ftyp', 'moov'],
    );
    return { plan, out: writeTemp(bytes, `${kind}.mp4`) };
  } finally {
    await source.close();
  }
}

async function codecs(path: string): Promise<string[]> {
  return (await ffprobe(path)).streams.map((s) => `${s.codec_type}:${s.codec_name}`);
}

/** The sources are 4 s long (makeMedia's default); their own timestamps (AVI has no pts, TS starts late)
 * are no reference, so the output is held to that length. */
async function lastsFourSeconds(out: string, audioOnly = false) {
  const seconds = audioOnly ? Number((await ffprobe(out)).format.duration) : await decodedDuration(out);
  assert.ok(Math.abs(seconds - 4) <= 0.5, `${seconds} s of ${audioOnly ? 'audio' : 'video'}`);
}

test('MPEG-TS h264+aac: probed (service names and all), remuxed with the ADTS headers stripped', async () => {
  const { info } = await probe('ts-h264-aac');
  assert.equal(info.container, 'mpegts');
  assert.deepEqual(info.tsLayout, { packet: 188, prefix: 0 });
  assert.ok(info.duration !== null && Math.abs(info.duration - 4) < 0.5, `duration ${info.duration}`);
  const { plan, out } = await stream('ts-h264-aac');
  assert.equal(plan.mode, 'remux', plan.reason);
  assert.equal(plan.audio?.adtsToAsc, true);
  assert.deepEqual(await codecs(out), ['video:h264', 'audio:aac']);
  // The whole file came out, not the first fragment before the muxer gave up.
  await lastsFourSeconds(out);
});

test('MPEG-TS seeks through the (filtered) seekable input', async () => {
  const { path, info } = await probe('ts-h264-aac');
  const source = await LocalFileSource.open(path);
  try {
    const plan = planStream(info, { t: 2 });
    const { bytes } = await streamToEnd({
      source,
      plan,
      info,
      ...ffmpeg,
    });
    const seconds = await decodedDuration(writeTemp(bytes, 'ts-seek.mp4'));
    assert.ok(seconds > 1 && seconds < 3, `${seconds} s after a seek to 2 s of 4`);
  } finally {
    await source.close();
  }
});

test('H.264 with B-frames in AVI: the video is re-encoded, and its frames come out in order', async () => {
  const { info } = await probe('avi-h264-bframes');
  assert.equal(info.streams.find((s) => s.type === 'video')?.hasBFrames, true);
  const { plan, out } = await stream('avi-h264-bframes');
  assert.deepEqual([plan.mode, plan.video?.action, plan.audio?.action], ['transcode', 'h264', 'copy']);
  assert.deepEqual(await codecs(out), ['video:h264', 'audio:mp3']);
  const { pts, dts, shown } = await videoTimestamps(out);
  assert.ok(pts.length >= 90, `${pts.length} video packets`);
  assert.equal(notRising([...pts].sort((a, b) => a - b)), 0, 'no duplicate or missing pts');
  assert.equal(notRising(dts), 0, 'dts rise in decode order');
  assert.equal(notRising(shown), 0, 'decoded frames are in display order');
  await lastsFourSeconds(out);
});

test('AVI without B-frames still copies its H.264', async () => {
  const { info } = await probe('avi-h264-bframes');
  const video = info.streams.find((s) => s.type === 'video')!;
  const plan = planStream({ ...info, streams: [{ ...video, hasBFrames: undefined }] });
  assert.deepEqual([plan.mode, plan.video?.action], ['remux', 'copy']);
});

for (const kind of ['ts-mpeg2-interlaced', 'ts-h264-interlaced'] as const) {
  test(`interlaced ${kind}: re-encoded through the deinterlacer, progressive out`, async () => {
    const { info, path } = await probe(kind);
    assert.ok(info.streams.find((s) => s.type === 'video')?.interlaced, 'probe sees the field order');
    const { plan, out } = await stream(kind);
    assert.deepEqual([plan.mode, plan.video?.action, plan.video?.deinterlace], ['transcode', 'h264', true]);
    assert.match(buildFfmpegArgs(plan).join(' '), /-vf yadif=/);
    assert.deepEqual(await codecs(out), ['video:h264', 'audio:aac']);
    const { shown } = await videoTimestamps(out);
    assert.equal(notRising(shown), 0);
    // The source combs in every frame; the output in (almost) none.
    const before = await interlaceDetection(path);
    assert.ok(before.interlaced > before.progressive * 4, `source: ${JSON.stringify(before)}`);
    const after = await interlaceDetection(out);
    assert.ok(after.progressive > after.interlaced * 4, `output: ${JSON.stringify(after)}`);
    await lastsFourSeconds(out);
  });
}

test('progressive video is never deinterlaced, even when re-encoded', async () => {
  const { info } = await probe('ts-h264-aac');
  assert.equal(info.streams.find((s) => s.type === 'video')?.interlaced, undefined);
  const plan = planStream(info, { mode: 'transcode' });
  assert.equal(plan.video?.deinterlace, undefined);
  assert.doesNotMatch(buildFfmpegArgs(plan).join(' '), /yadif|-vf/);
});

/** The output's video stream as ffprobe sees it. */
async function outVideo(out: string) {
  const probed = await ffprobe(out);
  return probed.streams[0] as {
    codec_name: string;
    profile?: string;
    pix_fmt?: string;
    codec_tag_string?: string;
  };
}

test('10-bit H.264: copied for a client that decodes it (and without caps), else re-encoded to 8-bit', async () => {
  const { info } = await probe('mkv-h264-10bit');
  assert.equal(info.streams.find((s) => s.type === 'video')?.bitDepth, 10);
  for (const caps of [undefined, 'h264-10bit']) {
    const { plan, out } = await stream('mkv-h264-10bit', caps === undefined ? {} : { caps: parseCaps(caps) });
    assert.deepEqual([plan.mode, plan.video?.action, plan.audio?.action], ['remux', 'copy', 'copy'], caps);
    assert.deepEqual(await codecs(out), ['video:h264', 'audio:aac']);
    const video = await outVideo(out);
    assert.deepEqual([video.profile, video.pix_fmt], ['High 10', 'yuv420p10le'], caps);
  }
  const { plan, out } = await stream('mkv-h264-10bit', { caps: parseCaps('hevc,opus') });
  assert.deepEqual([plan.mode, plan.video?.action, plan.audio?.action], ['transcode', 'h264', 'copy']);
  assert.deepEqual(await codecs(out), ['video:h264', 'audio:aac']);
  const video = await outVideo(out);
  assert.equal(video.pix_fmt, 'yuv420p');
  assert.notEqual(video.profile, 'High 10');
  await lastsFourSeconds(out);
});

test('HEVC copied for a client that lists hevc, tagged hvc1 (Safari plays no other)', async () => {
  const { info } = await probe('mkv-hevc-aac');
  assert.equal(info.streams[0]?.codecTag, undefined, 'MKV has no codec tag');
  const { plan, out } = await stream('mkv-hevc-aac', { caps: parseCaps('hevc') });
  assert.deepEqual([plan.mode, plan.video?.action, plan.video?.tag], ['remux', 'copy', 'hvc1']);
  assert.deepEqual(await codecs(out), ['video:hevc', 'audio:aac']);
  assert.equal((await outVideo(out)).codec_tag_string, 'hvc1');
  await lastsFourSeconds(out);
});

test('an HEVC MP4 tagged hvc1 plays directly for a client that lists hevc', async () => {
  const { info } = await probe('mp4-hevc-moov-end');
  assert.equal(info.streams.find((s) => s.type === 'video')?.codecTag, 'hvc1');
  assert.equal(planStream(info, { caps: parseCaps('hevc') }).mode, 'direct');
  assert.equal(planStream(info, { caps: parseCaps('') }).mode, 'transcode');
});

test('FLAC: direct as audio/flac; through FFmpeg, audio-only MP4 with the FLAC copied', async () => {
  const { info } = await probe('flac');
  assert.deepEqual([planStream(info).mode, planStream(info).mime], ['direct', 'audio/flac']);
  const { plan, out } = await stream('flac', 'remux');
  assert.deepEqual(
    [plan.mode, plan.mime, plan.video, plan.audio?.action],
    ['remux', 'audio/mp4', null, 'copy'],
  );
  assert.deepEqual(await codecs(out), ['audio:flac']);
  await lastsFourSeconds(out, true);
});

test('MP3 with a cover: direct as audio/mpeg; through FFmpeg the cover is left out, the audio kept', async () => {
  const { info } = await probe('mp3-cover');
  assert.equal(info.streams.find((s) => s.type === 'video')?.attachedPic, true);
  assert.deepEqual([planStream(info).mode, planStream(info).mime], ['direct', 'audio/mpeg']);
  const { plan, out } = await stream('mp3-cover', 'transcode');
  assert.deepEqual(
    [plan.mode, plan.mime, plan.video, plan.audio?.action],
    ['transcode', 'audio/mp4', null, 'aac'],
  );
  assert.deepEqual(await codecs(out), ['audio:aac']);
  await lastsFourSeconds(out, true);
});
