/**
 * HlsSubtitles on a file whose bytes arrive when the test says (a torrent in slow motion): a segment is
 * answered once the one shared extraction has passed its end, not when the file is complete; a client
 * leaving ends only its own wait; the FFmpeg process limit answers 503 without being remembered; dropping
 * the torrent stops the extraction; a subtitle file still downloading is waited for.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { CatalogEntry, CatalogFile } from '../../src/catalog/types.js';
import type { HlsFile } from '../../src/server/hls-service.js';
import { HlsSubtitles } from '../../src/server/hls-subtitles.js';
import { Limiter } from '../../src/server/limiter.js';
import { SlotQueue } from '../../src/server/slot-queue.js';
import { SubtitleFiles } from '../../src/server/subtitle-files.js';
import type { DataSource } from '../../src/stream/data-source.js';
import { type FfmpegTools, locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';
import { planHls } from '../../src/stream/hls/hls-plan.js';
import { segmentAt } from '../../src/stream/hls/segment-times.js';
import { probeSource } from '../../src/stream/media-info.js';
import { SeekableInputServer } from '../../src/stream/seekable-input.js';
import { parseCues } from '../../src/stream/vtt.js';
import { ControllableSource } from '../helpers/controllable-source.js';
import { makeTracksMedia } from '../helpers/media.js';
import { childProcesses, ffmpegChildrenGone } from '../helpers/processes.js';
import { settled } from '../helpers/settled.js';

const cues = [
  { start: 1000, end: 2000, text: 'early' },
  { start: 6000, end: 7000, text: 'second segment' },
  { start: 31_000, end: 33_000, text: 'late' },
  { start: 37_000, end: 39_000, text: 'last' },
];
const srt = '1\n00:00:01,000 --> 00:00:02,000\nfrom the file\n\n2\n00:00:37,000 --> 00:00:39,000\nfile end\n';
const EMBEDDED = 'subtitles-s3';

let tools: FfmpegTools;
let seekable: SeekableInputServer;
let bytes: Buffer;
let hls: HlsFile;
/** Segments holding a time (s); whatever the cut layout, the one at 1 s ends before the cue at 6 s starts. */
const at = (t: number) => segmentAt(hls.plan.times, t);
let lastSegment: number;

function file(index: number, name: string, length: number): CatalogFile {
  return { index, name, path: `Late/${name}`, length, progress: 0, mime: 'application/octet-stream' };
}

/** An HlsSubtitles whose catalog hands out `sources` (by file index); one process slot unless told. */
function subtitles(sources: DataSource[], processes = 4) {
  const ffmpegProcesses = new Limiter(processes);
  const transcodes = new Limiter(1);
  const limits = {
    ffmpegProcesses,
    transcodes,
    subtitleFiles: new Limiter(1),
    queue: new SlotQueue([ffmpegProcesses, transcodes]),
  };
  const catalog = { open: async (_infoHash: string, index: number) => sources[index]! };
  const subtitleFiles = new SubtitleFiles({ catalog, tools, limits });
  return { subs: new HlsSubtitles({ catalog, ffmpeg: { tools, seekable }, limits, subtitleFiles }), limits };
}

/** The MKV with its head and its tail (where the MKV keeps its index) there, as a torrent fetches them first. */
function partialMkv(): ControllableSource {
  const source = new ControllableSource(bytes, { name: 'Late.mkv' });
  source.release(0, Math.floor(bytes.length * 0.4));
  source.release(bytes.length - 64 * 1024);
  return source;
}

const texts = (vtt: string) => parseCues(vtt).map((c) => c.text);

before(async () => {
  tools = await locateFfmpeg();
  seekable = await SeekableInputServer.start();
  const path = await makeTracksMedia({ seconds: 40, name: 'tracks-40s-hls-progress', cues });
  bytes = readFileSync(path);
  const info = await probeSource(new ControllableSource(bytes, { available: true }), tools);
  // No keyframe index: fixed segments.
  const plan = planHls(info, { keyframes: null });
  const files = [file(0, 'Late.mkv', bytes.length), file(1, 'Late.en.srt', srt.length)];
  const entry = { infoHash: 'c'.repeat(40), name: 'Late', ready: true, files } as CatalogEntry;
  hls = { entry, file: files[0]!, info, plan, keyframes: null };
  lastSegment = plan.times.starts.length - 1;
  assert.ok(
    plan.times.starts[at(1) + 1]! < 6 && at(6) < at(31.5) && at(31.5) < lastSegment,
    `${plan.times.starts}`,
  );
});

after(async () => {
  await seekable.close();
});

describe('HlsSubtitles while the file downloads', () => {
  it('answers a segment once the extraction has passed it; later ones wait for their bytes', async () => {
    const source = partialMkv();
    const { subs, limits } = subtitles([source]);
    assert.deepEqual(
      subs.list(hls).map((t) => [t.id, t.name, t.language]),
      [
        [EMBEDDED, 'English', 'eng'],
        ['subtitles-f1', 'Late.en.srt', 'en'],
      ],
    );
    const second = subs.segment(hls, EMBEDDED, at(6));
    const last = subs.segment(hls, EMBEDDED, lastSegment);
    assert.deepEqual(texts(await subs.segment(hls, EMBEDDED, at(1))), ['early']);
    await source.whenWaiting();
    // The segment at 6 s needs a cue starting past its end, and the next lies in bytes not there yet.
    assert.equal(await settled(second), false);
    assert.equal(await settled(last), false);
    assert.equal(childProcesses().length, 1, 'one extraction for every segment');

    source.release(0);
    assert.deepEqual(texts(await second), ['second segment']);
    assert.deepEqual(texts(await last), ['last']);
    assert.equal(limits.ffmpegProcesses.inUse, 0);
    assert.deepEqual(await ffmpegChildrenGone(), []);
    // Cached: answered again without FFmpeg.
    assert.deepEqual(texts(await subs.segment(hls, EMBEDDED, at(31.5))), ['late']);
    assert.equal(childProcesses().length, 0);
    await subs.close();
  });

  it('a client leaving ends its own wait; the extraction goes on for the others', async () => {
    const source = partialMkv();
    const { subs } = subtitles([source]);
    const leaving = new AbortController();
    const gone = subs.segment(hls, EMBEDDED, lastSegment, leaving.signal);
    const staying = subs.segment(hls, EMBEDDED, lastSegment);
    await source.whenWaiting();
    leaving.abort();
    await assert.rejects(gone, { name: 'AbortError' });
    assert.equal(childProcesses().length, 1);
    source.release(0);
    assert.deepEqual(texts(await staying), ['last']);
    await subs.close();
  });

  it('answers 503 when the FFmpeg process limit is reached, and tries again later', async () => {
    const { subs, limits } = subtitles([new ControllableSource(bytes, { available: true })], 1);
    const held = limits.ffmpegProcesses.tryAcquire()!;
    await assert.rejects(subs.segment(hls, EMBEDDED, at(1)), { statusCode: 503 });
    held();
    assert.deepEqual(texts(await subs.segment(hls, EMBEDDED, at(1))), ['early']);
    await subs.close();
    assert.equal(limits.ffmpegProcesses.inUse, 0);
  });

  it('drop stops the extraction: its waiters get 503 and FFmpeg is reaped', async () => {
    const source = partialMkv();
    const { subs, limits } = subtitles([source]);
    const waiting = subs.segment(hls, EMBEDDED, lastSegment);
    await source.whenWaiting();
    await subs.drop(hls.entry.infoHash);
    await assert.rejects(waiting, { statusCode: 503 });
    assert.deepEqual(await ffmpegChildrenGone(), []);
    assert.equal(limits.ffmpegProcesses.inUse, 0);
  });

  it('waits for a subtitle file still downloading, then cuts it like the embedded stream', async () => {
    const srtSource = new ControllableSource(Buffer.from(srt), { name: 'Late.en.srt' });
    const { subs, limits } = subtitles([new ControllableSource(bytes, { available: true }), srtSource]);
    const first = subs.segment(hls, 'subtitles-f1', at(1));
    await srtSource.whenWaiting();
    assert.equal(await settled(first), false);
    // Waiting for the download holds no conversion slot.
    assert.equal(limits.subtitleFiles.inUse, 0);
    srtSource.release(0);
    assert.deepEqual(texts(await first), ['from the file']);
    assert.deepEqual(texts(await subs.segment(hls, 'subtitles-f1', lastSegment)), ['file end']);
    assert.equal(texts(await subs.segment(hls, 'subtitles-f1', at(20))).length, 0);
    await assert.rejects(subs.segment(hls, 'subtitles-s4', 0), { statusCode: 404 });
    await subs.close();
  });
});
