import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { type FfmpegTools, locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';
import { NotMediaError, probeSource } from '../../src/stream/media-info.js';
import { ControllableSource, patternBytes } from '../helpers/controllable-source.js';
import { eventually } from '../helpers/eventually.js';
import { makeMedia } from '../helpers/media.js';
import { childProcesses } from '../helpers/processes.js';

let tools: FfmpegTools;
before(async () => {
  tools = await locateFfmpeg();
});

test('probes only the head of an MKV over a pipe: streams, duration, flags', async () => {
  const data = readFileSync(await makeMedia('mkv-h264-ac3', { seconds: 20, size: '320x240' }));
  const source = new ControllableSource(data, { name: 'movie.mkv' });
  const headBytes = 256 * 1024;
  assert.ok(data.length > 2 * headBytes);
  source.release(0, headBytes); // the rest never arrives: the probe must not need it
  const info = await probeSource(source, tools, { headBytes });
  assert.equal(info.container, 'matroska');
  assert.ok(info.duration !== null && Math.abs(info.duration - 20) < 0.5);
  assert.deepEqual(
    info.streams.map((s) => [s.index, s.type, s.codec]),
    [
      [0, 'video', 'h264'],
      [1, 'audio', 'ac3'],
    ],
  );
  assert.equal(info.streams[1]?.channels, 1);
  assert.equal(info.streams[0]?.width, 320);
  assert.equal(info.streams[0]?.bitDepth, 8);
  assert.ok(source.highestRead <= headBytes);
});

test('a moov-at-end MP4 is probed through a (temporary) seekable input', async () => {
  const data = readFileSync(await makeMedia('mp4-moov-end'));
  const source = new ControllableSource(data, { available: true, name: 'late.mp4' });
  const info = await probeSource(source, tools);
  assert.equal(info.moovAtEnd, true);
  assert.equal(info.container, 'mp4');
  assert.ok(info.duration !== null && Math.abs(info.duration - 4) < 0.5);
  assert.equal(source.highestRead, data.length, 'read up to the moov at the end');
});

test('not media: NotMediaError with code NOT_MEDIA', async () => {
  const source = new ControllableSource(patternBytes(200_000), { available: true, name: 'notes.txt' });
  await assert.rejects(probeSource(source, tools), (err: unknown) => {
    assert.ok(err instanceof NotMediaError);
    assert.equal(err.code, 'NOT_MEDIA');
    return true;
  });
  const empty = new ControllableSource(Buffer.alloc(0), { available: true });
  await assert.rejects(probeSource(empty, tools), NotMediaError);
});

test('abort while the head is still downloading rejects and leaves no ffprobe', async () => {
  const data = readFileSync(await makeMedia('mkv-h264-aac'));
  const source = new ControllableSource(data);
  source.release(0, 64 * 1024);
  const controller = new AbortController();
  const probing = probeSource(source, tools, { signal: controller.signal });
  await source.whenWaiting();
  controller.abort();
  await assert.rejects(probing, { name: 'AbortError' });
  assert.equal(source.waiting, 0);
});

test('ffprobe starts before the head arrives; a TS head drops it for the filtered probe', async () => {
  for (const [kind, container] of [
    ['mkv-h264-aac', 'matroska'],
    ['ts-h264-aac', 'mpegts'],
  ] as const) {
    const source = new ControllableSource(readFileSync(await makeMedia(kind)), { name: `a.${kind}` });
    const probing = probeSource(source, tools);
    assert.ok(
      await eventually(() => childProcesses('ffprobe').length === 1),
      `${kind}: an ffprobe waits for the head before any byte of it is there`,
    );
    source.release(0);
    assert.equal((await probing).container, container);
    assert.ok(await eventually(() => childProcesses('ffprobe').length === 0), `${kind}: no ffprobe left`);
  }
});
