/**
 * FFmpeg started from the container's header while ffprobe runs (stream-early.ts): kept when the probe
 * plans the same command, stopped when it does not — and a stream whose header says otherwise than the
 * probe still plays, as the probe planned it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Limiter } from '../../src/server/limiter.js';
import { discard as discardSpare, startSpare } from '../../src/server/spare-ffmpeg.js';
import { EarlyStart, FIRST_BYTES } from '../../src/server/stream-early.js';
import { bufferSource } from '../../src/stream/data-source.js';
import { type FfmpegTools, locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';
import { probeSource } from '../../src/stream/media-info.js';
import { planStream } from '../../src/stream/plan.js';
import { SeekableInputServer } from '../../src/stream/seekable-input.js';
import { ControllableSource } from '../helpers/controllable-source.js';
import { ffprobe, makeMedia } from '../helpers/media.js';
import { childProcesses, childProcessesSoon, ffmpegChildrenGone } from '../helpers/processes.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';
import { collector, drain } from '../stream/stream-helpers.js';

let tools: FfmpegTools;
let seekable: SeekableInputServer;
let work: string;
before(async () => {
  tools = await locateFfmpeg();
  seekable = await SeekableInputServer.start();
  work = await mkdtemp(join(tmpdir(), 'streamtide-early-'));
});
after(async () => {
  await seekable.close();
});

/**
 * Interlaced H.264 in Matroska whose FlagInterlaced says "undetermined": the header reads as progressive
 * (copied), ffprobe decodes the fields (transcoded and deinterlaced).
 */
async function unflaggedInterlacedMkv(): Promise<string> {
  const ts = await makeMedia('ts-h264-interlaced');
  const mkv = join(work, 'unflagged-interlaced.mkv');
  await promisify(execFile)(tools.ffmpeg, ['-v', 'error', '-y', '-i', ts, '-map', '0', '-c', 'copy', mkv]);
  const data = readFileSync(mkv);
  const flag = data.indexOf(Buffer.from([0x9a, 0x81, 0x01])); // FlagInterlaced, 1 byte, interlaced
  assert.ok(flag > 0, 'the muxer flags the interlaced track');
  data[flag + 2] = 0;
  writeFileSync(mkv, data);
  return mkv;
}

/** Room for four FFmpeg processes, one of them a transcode. */
const freshLimits = () => ({ ffmpegProcesses: new Limiter(4), transcodes: new Limiter(1) });

function begin(data: Buffer, name: string, limits = freshLimits()) {
  const catalog = { open: async () => bufferSource(data, name) };
  const signal = new AbortController().signal;
  const early = EarlyStart.begin({
    catalog,
    infoHash: 'x',
    index: 0,
    request: {},
    tools,
    seekable,
    limits,
    signal,
  });
  return { early, limits };
}

describe('EarlyStart', () => {
  it('hands over the FFmpeg it started when the probe plans the same command', async () => {
    const data = readFileSync(await makeMedia('mkv-h264-ac3'));
    const { early, limits } = begin(data, 'a.mkv');
    const plan = planStream(await probeSource(bufferSource(data, 'a.mkv'), tools));
    const taken = await early.take(plan);
    assert.ok(taken);
    assert.equal(early.outcome, 'taken');
    assert.deepEqual(taken.plan, plan);
    assert.equal(limits.transcodes.inUse, 1, 'audio to AAC: a transcode holds its slot');
    await early.drop(); // taken: no longer the EarlyStart's to stop
    taken.streamer.sendTo(collector());
    assert.equal((await taken.streamer.done).outcome, 'complete', 'ran to its end, not stopped');
    taken.release();
    await taken.source.close();
    assert.equal(limits.ffmpegProcesses.inUse, 0);
  });

  it('a settled header (progressive declared) hands its stream over before any probe', async () => {
    const data = readFileSync(await makeMedia('mkv-h264-aac'));
    const { early, limits } = begin(data, 'a.mkv');
    const settled = await early.settled();
    assert.ok(settled);
    assert.equal(early.outcome, 'settled');
    assert.equal(settled.plan.mode, 'remux');
    assert.equal(await early.take(settled.plan), null, 'handed over once');
    await settled.streamer.ready;
    await settled.streamer.stop();
    settled.release();
    assert.equal(limits.ffmpegProcesses.inUse, 0);
  });

  it('an MKV still downloading gets a spare FFmpeg before its header, kept when the header plans the same', async () => {
    const data = readFileSync(await makeMedia('mkv-h264-aac'));
    const source = new ControllableSource(data, { name: 'spare.mkv' });
    const limits = freshLimits();
    const catalog = { open: async () => source };
    const signal = new AbortController().signal;
    const options = { catalog, infoHash: 'x', index: 0, request: {}, tools, seekable, limits, signal };
    const early = EarlyStart.begin(options);
    await source.whenWaiting();
    const before = await childProcessesSoon();
    assert.equal(before.length, 1, 'one FFmpeg started on the guess, nothing read yet');
    source.release(0);
    const settled = await early.settled();
    assert.ok(settled);
    assert.equal(settled.streamer.pid, before[0], 'the spare is the stream');
    await settled.streamer.ready;
    await settled.streamer.stop();
    settled.release();
    await settled.source.close();
    assert.equal(limits.ffmpegProcesses.inUse, 0);
  });

  it('asks for the head FFmpeg reads first at once, not one piece after another', async () => {
    const data = readFileSync(await makeMedia('mkv-h264-aac', { seconds: 20 }));
    assert.ok(data.length > FIRST_BYTES);
    const source = new ControllableSource(data, { name: 'head.mkv' });
    const limits = freshLimits();
    const signal = new AbortController().signal;
    const early = EarlyStart.begin({
      catalog: { open: async () => source },
      ...{ infoHash: 'x', index: 0, request: {}, tools, seekable, limits, signal },
    });
    await source.whenWaiting();
    assert.ok(
      source.waitingRanges.some((range) => range.offset === 0 && range.end >= FIRST_BYTES),
      JSON.stringify(source.waitingRanges),
    );
    source.release(0);
    const settled = await early.settled();
    assert.ok(settled);
    await settled.streamer.stop();
    settled.release();
    await settled.source.close();
  });

  it('a spare whose guess the header does not confirm is stopped', async () => {
    const data = readFileSync(await makeMedia('mkv-hevc-aac'));
    const source = new ControllableSource(data, { name: 'other.mkv' });
    const limits = freshLimits();
    const signal = new AbortController().signal;
    const early = EarlyStart.begin({
      catalog: { open: async () => source },
      ...{ infoHash: 'x', index: 0, request: { mode: 'remux' as const }, tools, seekable, limits, signal },
    });
    await source.whenWaiting();
    const spare = (await childProcessesSoon())[0];
    source.release(0);
    const settled = await early.settled();
    assert.ok(settled, 'HEVC remuxed as asked, on a new FFmpeg');
    assert.notEqual(settled.streamer.pid, spare);
    assert.ok(!childProcesses().includes(spare!), 'the spare is gone');
    await settled.streamer.stop();
    settled.release();
    assert.equal(limits.ffmpegProcesses.inUse, 0);
  });

  it('a spare started before the file was known (no metadata yet) is the stream when the header agrees', async () => {
    const data = readFileSync(await makeMedia('mkv-h264-aac'));
    const limits = freshLimits();
    const starter = { request: {}, tools, seekable, limits };
    const spare = startSpare(starter, 'file 0 of x');
    assert.ok(spare, 'the likely plan (H.264 + AAC copied) needs FFmpeg');
    assert.equal(spare.source.size, Number.POSITIVE_INFINITY, 'no file known yet');
    assert.equal(limits.ffmpegProcesses.inUse, 1, 'the spare holds its slot');
    // The metadata comes: the file is an MKV, still downloading.
    const source = new ControllableSource(data, { name: 'movie.mkv' });
    const signal = new AbortController().signal;
    const catalog = { open: async () => source };
    const early = EarlyStart.begin({ ...starter, catalog, infoHash: 'x', index: 0, signal, spare });
    source.release(0);
    const settled = await early.settled();
    assert.ok(settled);
    assert.equal(settled.streamer, spare.streamer, 'the spare is the stream');
    assert.equal(settled.source.size, data.length);
    assert.equal(limits.ffmpegProcesses.inUse, 1, 'no second FFmpeg');
    const { bytes, result } = await drain(settled.streamer);
    assert.equal(result.outcome, 'complete');
    assert.equal(result.bytesIn, data.length, 'read the whole file, to its end');
    const probed = await ffprobe(bytes);
    assert.deepEqual(
      probed.streams.map((s) => [s.codec_type, s.codec_name]),
      [
        ['video', 'h264'],
        ['audio', 'aac'],
      ],
    );
    settled.release();
    await settled.source.close();
    assert.equal(limits.ffmpegProcesses.inUse, 0);
  });

  it('no spare transcode before the file is known: its slot would be held for the metadata', () => {
    const limits = freshLimits();
    const starter = { request: { mode: 'transcode' as const }, tools, seekable, limits };
    assert.equal(startSpare(starter, 'file 0 of x'), null);
    assert.equal(limits.transcodes.inUse, 0);
    const known = startSpare(starter, 'movie.mkv', 1_000_000);
    assert.ok(known, 'the file known (its first piece awaited): a transcode spare starts');
    assert.equal(limits.transcodes.inUse, 1);
    return discardSpare(known);
  });

  it('a spare started before the file was known is stopped when the file is not Matroska', async () => {
    const data = readFileSync(await makeMedia('ts-h264-aac'));
    const limits = freshLimits();
    const starter = { request: {}, tools, seekable, limits };
    const spare = startSpare(starter, 'file 0 of x');
    assert.ok(spare);
    const pid = (await childProcessesSoon())[0];
    assert.ok(pid);
    const signal = new AbortController().signal;
    const catalog = { open: async () => bufferSource(data, 'c.ts') };
    const early = EarlyStart.begin({ ...starter, catalog, infoHash: 'x', index: 0, signal, spare });
    assert.equal(await early.settled(), null, 'no header plan for MPEG-TS');
    assert.equal(early.outcome, 'none');
    assert.equal(limits.ffmpegProcesses.inUse, 0, 'its slot is free');
    assert.ok(!(await ffmpegChildrenGone()).includes(pid), 'the spare is gone');
  });

  it('lets the probe of a settled MKV start only once its stream has the init segment out', async () => {
    const data = readFileSync(await makeMedia('mkv-h264-aac'));
    const source = new ControllableSource(data, { name: 'a.mkv' });
    const limits = freshLimits();
    const signal = new AbortController().signal;
    const early = EarlyStart.begin({
      catalog: { open: async () => source },
      ...{ infoHash: 'x', index: 0, request: {}, tools, seekable, limits, signal },
    });
    let initOut = false;
    const mayProbe = early.probeMayStart('a.mkv').then(() => initOut);
    source.release(0);
    const settled = await early.settled();
    assert.ok(settled);
    void settled.streamer.ready.then(() => {
      initOut = true;
    });
    assert.equal(await mayProbe, true, 'not before the init segment');
    await settled.streamer.stop();
    settled.release();
    await settled.source.close();
  });

  it('lets the probe start at once for a file its header does not plan, or plans with a doubt', async () => {
    const ts = new ControllableSource(readFileSync(await makeMedia('ts-h264-aac')), { name: 'c.ts' });
    const limits = freshLimits();
    const signal = new AbortController().signal;
    const options = { infoHash: 'x', index: 0, request: {}, tools, seekable, limits, signal };
    const forTs = EarlyStart.begin({ ...options, catalog: { open: async () => ts } });
    await forTs.probeMayStart('c.ts'); // not one byte of the file is in
    ts.release(0);
    await forTs.drop();
    const interlaced = readFileSync(await unflaggedInterlacedMkv());
    const unsure = EarlyStart.begin({
      ...options,
      catalog: { open: async () => bufferSource(interlaced, 'b.mkv') },
    });
    await unsure.probeMayStart('b.mkv'); // its stream waits for the probe: waiting here would never end
    assert.equal(await unsure.settled(), null);
    await unsure.drop();
    assert.equal(limits.ffmpegProcesses.inUse, 0);
  });

  it('stops its FFmpeg and frees its slots when the probe plans otherwise', async () => {
    const data = readFileSync(await unflaggedInterlacedMkv());
    const { early, limits } = begin(data, 'b.mkv');
    assert.equal(await early.settled(), null, 'interlacing undetermined: the probe must judge');
    const info = await probeSource(bufferSource(data, 'b.mkv'), tools);
    const plan = planStream(info);
    assert.equal(plan.video?.deinterlace, true);
    assert.equal(await early.take(plan), null);
    assert.equal(early.outcome, 'differed');
    assert.equal(limits.ffmpegProcesses.inUse, 0);
    assert.deepEqual(await ffmpegChildrenGone(), []);
  });

  it('starts nothing for a file its header cannot plan, and drop() is harmless', async () => {
    const data = readFileSync(await makeMedia('ts-h264-aac'));
    const { early, limits } = begin(data, 'c.ts');
    await early.drop();
    assert.equal(await early.take(planStream(await probeSource(bufferSource(data, 'c.ts'), tools))), null);
    assert.equal(early.outcome, 'none');
    assert.equal(limits.ffmpegProcesses.inUse, 0);
  });
});

describe('GET /stream with a header that disagrees with the probe', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it('plays as the probe planned it', async () => {
    const entry = await server.catalog.addLocalFile(await unflaggedInterlacedMkv());
    const response = await fetch(`${server.url}/stream/${entry.infoHash}/0`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-stream-mode'), 'transcode');
    const probed = await ffprobe(Buffer.from(await bodyBytes(response)));
    assert.deepEqual(
      probed.streams.map((s) => [s.codec_type, s.codec_name]),
      [
        ['video', 'h264'],
        ['audio', 'aac'],
      ],
    );
    assert.deepEqual(await ffmpegChildrenGone(), []);
  });
});
