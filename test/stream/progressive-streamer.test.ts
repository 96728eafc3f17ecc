import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LocalFileSource } from '../../src/stream/local-file-source.js';
import { type MediaInfo, probeSource } from '../../src/stream/media-info.js';
import { planStream } from '../../src/stream/plan.js';
import { ProgressiveStreamer, StreamError } from '../../src/stream/progressive-streamer.js';
import { ControllableSource, patternBytes } from '../helpers/controllable-source.js';
import { decodedDuration, type MediaKind, makeMedia } from '../helpers/media.js';
import { alive, collector, streamToEnd, topBoxes, withFfmpeg, writeTemp } from './stream-helpers.js';

const ffmpeg = withFfmpeg();

async function media(kind: MediaKind, seconds = 4, size?: string) {
  const path = await makeMedia(kind, { seconds, ...(size ? { size } : {}) });
  const file = await LocalFileSource.open(path);
  try {
    const info = await probeSource(file, ffmpeg.tools, { seekable: ffmpeg.seekable });
    return { path, data: readFileSync(path), info };
  } finally {
    await file.close();
  }
}

/** Releases the source 64 KiB at a time, each time the pump is found waiting, until all is out or `until`. */
async function releaseSlowly(source: ControllableSource, until: Promise<unknown>, limit = source.size) {
  let stop = false;
  void until.finally(() => {
    stop = true;
  });
  let released = 0;
  while (!stop && released < limit) {
    const waited = await Promise.race([source.whenWaiting(), until.then(() => null)]);
    if (!waited) break;
    released = Math.min(limit, released + 64 * 1024);
    source.release(0, released);
  }
}

test('a slowly released source streams completely; ready comes only after ftyp+moov are out', async () => {
  const { data, path, info } = await media('mkv-h264-aac', 6);
  const source = new ControllableSource(data, { name: 'slow.mkv' });
  const plan = planStream(info);
  const streamer = ProgressiveStreamer.start({ source, plan, info, tools: ffmpeg.tools });
  assert.ok(streamer.pump, 'pipe input through the pump');
  const sink = collector();
  streamer.sendTo(sink);
  let readySettled = false;
  let outAtReady = -1;
  const readyWatch = streamer.ready.then(() => {
    readySettled = true;
    outAtReady = sink.bytes().length;
  });
  await source.whenWaiting();
  assert.equal(readySettled, false, 'ready before FFmpeg had any input');
  await releaseSlowly(source, streamer.done);
  const result = await streamer.done;
  await readyWatch;
  assert.equal(result.outcome, 'complete', result.error?.message);
  assert.equal(result.bytesIn, data.length);
  const bytes = sink.bytes();
  assert.equal(result.bytesOut, bytes.length);
  const [ftyp, moov, moof] = topBoxes(bytes);
  assert.deepEqual([ftyp?.type, moov?.type, moof?.type], ['ftyp', 'moov', 'moof']);
  assert.ok(outAtReady >= moov!.offset + moov!.size, `ready at ${outAtReady} bytes, before the moov's end`);
  assert.equal(alive(streamer.pid), false);
  const duration = await decodedDuration(writeTemp(bytes, 'slow.mp4'));
  assert.ok(Math.abs(duration - (await decodedDuration(path))) <= 0.5, `duration ${duration}`);
});

test('stop() mid-stream kills and reaps FFmpeg and abandons the pending read', async () => {
  const { data, info } = await media('mkv-h264-aac', 20, '320x240');
  const source = new ControllableSource(data);
  const streamer = ProgressiveStreamer.start({ source, plan: planStream(info), info, tools: ffmpeg.tools });
  streamer.sendTo(collector());
  // Release until the init segment is out, then keep the rest back so FFmpeg is mid-stream.
  await releaseSlowly(source, streamer.ready, Math.floor(data.length * 0.6));
  await streamer.ready;
  assert.equal(alive(streamer.pid), true);
  await streamer.stop();
  assert.equal(alive(streamer.pid), false, 'FFmpeg still running after stop()');
  const result = await streamer.done;
  assert.equal(result.outcome, 'stopped');
  assert.equal(source.waiting, 0);
  assert.ok(result.bytesIn < data.length);
  await streamer.stop(); // idempotent
});

test('destroying the output stops everything', async () => {
  const { data, info } = await media('mkv-h264-aac', 20, '320x240');
  const source = new ControllableSource(data);
  const streamer = ProgressiveStreamer.start({ source, plan: planStream(info), info, tools: ffmpeg.tools });
  streamer.sendTo(collector());
  await releaseSlowly(source, streamer.ready, Math.floor(data.length * 0.6));
  await streamer.ready;
  streamer.output.destroy();
  const result = await streamer.done;
  assert.equal(result.outcome, 'stopped');
  assert.equal(alive(streamer.pid), false);
});

test('invalid input: ready rejects with FFMPEG_FAILED carrying stderr, no process left', async () => {
  // Only the head is there: FFmpeg's failure must end everything although the pump waits on the source.
  const source = new ControllableSource(patternBytes(3_000_000), { name: 'junk.mkv' });
  source.release(0, 300_000);
  const info: MediaInfo = {
    container: 'matroska',
    formatName: 'matroska,webm',
    duration: 4,
    moovAtEnd: false,
    startTime: 0,
    streams: [
      { index: 0, type: 'video', codec: 'h264', language: null, title: null, default: true, forced: false },
    ],
  };
  const streamer = ProgressiveStreamer.start({ source, plan: planStream(info), info, tools: ffmpeg.tools });
  streamer.sendTo(collector());
  await assert.rejects(streamer.ready, (err: unknown) => {
    assert.ok(err instanceof StreamError);
    assert.equal(err.code, 'FFMPEG_FAILED');
    assert.ok(err.stderr.length > 0, 'stderr tail carried');
    return true;
  });
  const result = await streamer.done;
  assert.equal(result.outcome, 'failed');
  assert.equal(alive(streamer.pid), false);
  assert.equal(source.waiting, 0, 'the pump stopped waiting on the source');
});

test('a source failure mid-stream ends as PUMP_FAILED and kills FFmpeg', async () => {
  const { data, info } = await media('mkv-h264-aac', 6);
  const source = new ControllableSource(data);
  source.release(0, Math.floor(data.length / 2));
  source.failAt(Math.floor(data.length / 2) + 10, new Error('piece failed hash check'));
  const streamer = ProgressiveStreamer.start({ source, plan: planStream(info), info, tools: ffmpeg.tools });
  streamer.sendTo(collector());
  const result = await streamer.done;
  assert.equal(result.outcome, 'failed');
  assert.equal(result.error?.code, 'PUMP_FAILED');
  assert.match(result.error?.message ?? '', /piece failed hash check/);
  assert.equal(streamer.pump?.lastError?.message, 'piece failed hash check');
  assert.equal(alive(streamer.pid), false);
});

test('startTime goes through the seekable input and the output starts near that time', async () => {
  const { path, info } = await media('avi-mpeg4-mp3', 10);
  const file = await LocalFileSource.open(path);
  try {
    const plan = planStream(info, { t: 4 });
    const { streamer, bytes, result } = await streamToEnd({ source: file, plan, info, ...ffmpeg });
    assert.equal(streamer.pump, null);
    assert.ok(result.bytesIn > 0);
    const duration = await decodedDuration(writeTemp(bytes, 'seek.mp4'));
    const want = (await decodedDuration(path)) - 4;
    assert.ok(Math.abs(duration - want) <= 0.5, `output ${duration}s, expected ≈ ${want}s`);
  } finally {
    await file.close();
  }
});

test('startTime on a remux (copied video) starts at the keyframe at or after the asked time', async () => {
  const { path, info } = await media('mkv-h264-aac', 10);
  const file = await LocalFileSource.open(path);
  try {
    const plan = planStream(info, { t: 4 });
    assert.equal(plan.mode, 'remux');
    const { bytes } = await streamToEnd({
      source: file,
      plan,
      info,
      ...ffmpeg,
    });
    const duration = await decodedDuration(writeTemp(bytes, 'seek-remux.mp4'));
    const want = (await decodedDuration(path)) - 4;
    // Keyframes are 1 s apart in the test media: a copy cannot start between them.
    assert.ok(duration > want - 1.1 && duration < want + 0.5, `output ${duration}s, expected ≈ ${want}s`);
  } finally {
    await file.close();
  }
});

test('startTime without a seekable server fails clearly instead of piping from 0', async () => {
  const { data, info } = await media('mkv-h264-aac');
  const source = new ControllableSource(data, { available: true });
  const streamer = ProgressiveStreamer.start({
    source,
    plan: planStream(info, { t: 2 }),
    info,
    tools: ffmpeg.tools,
  });
  await assert.rejects(streamer.ready, { code: 'FFMPEG_START' });
  assert.equal((await streamer.done).outcome, 'failed');
});
