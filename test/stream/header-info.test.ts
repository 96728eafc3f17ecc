import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { parseCaps } from '../../src/stream/client-caps.js';
import { bufferSource } from '../../src/stream/data-source.js';
import { buildFfmpegArgs } from '../../src/stream/ffmpeg-args.js';
import { type FfmpegTools, locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';
import { HEAD_BYTES, headerInfo } from '../../src/stream/header-info.js';
import { type MediaInfo, probeSource } from '../../src/stream/media-info.js';
import { type PlanRequest, planStream } from '../../src/stream/plan.js';
import { ControllableSource } from '../helpers/controllable-source.js';
import { type MediaKind, makeMedia, makeTracksMedia } from '../helpers/media.js';

let tools: FfmpegTools;
before(async () => {
  tools = await locateFfmpeg();
});

/** The requests a plan can differ on: automatic for a desktop and for a baseline client, forced modes, audio. */
const REQUESTS: PlanRequest[] = [
  {},
  { caps: parseCaps('') },
  { caps: parseCaps('hevc,ac3,eac3') },
  { mode: 'remux' },
  { mode: 'transcode' },
  { audio: 0 },
];

/** What a plan makes FFmpeg do and the client get, or the error it is refused with. */
function outcome(info: MediaInfo, request: PlanRequest): unknown {
  try {
    const plan = planStream(info, request);
    return { mode: plan.mode, mime: plan.mime, args: plan.mode === 'direct' ? [] : buildFfmpegArgs(plan) };
  } catch (err) {
    return (err as Error).name;
  }
}

async function both(path: string, name: string) {
  const data = readFileSync(path);
  const header = (await headerInfo(bufferSource(data, name)))?.info ?? null;
  const probed = await probeSource(bufferSource(data, name), tools);
  return { header, probed };
}

const PLANNED: Array<[MediaKind, string]> = [
  ['mkv-h264-aac', 'a.mkv'],
  ['mkv-h264-ac3', 'b.mkv'],
  ['mkv-hevc-aac', 'c.mkv'],
  ['mkv-multi-audio', 'd.mkv'],
  ['mkv-h264-bframes', 'e.mkv'],
  ['webm', 'f.webm'],
];

for (const [kind, name] of PLANNED) {
  test(`the header of ${kind} plans every request as ffprobe's answer does`, async () => {
    const { header, probed } = await both(await makeMedia(kind), name);
    assert.ok(header, 'a Matroska header with known codecs gives a MediaInfo');
    assert.equal(header.container, probed.container);
    assert.ok(header.duration !== null && probed.duration !== null);
    assert.ok(Math.abs(header.duration - probed.duration) < 0.1);
    for (const request of REQUESTS) {
      assert.deepEqual(outcome(header, request), outcome(probed, request), JSON.stringify(request));
    }
  });
}

test('subtitle tracks keep the stream indices of the tracks after them', async () => {
  const { header, probed } = await both(await makeTracksMedia(), 'tracks.mkv');
  assert.ok(header);
  assert.deepEqual(
    header.streams.map((s) => [s.index, s.type]),
    probed.streams.filter((s) => !s.attachedPic).map((s) => [s.index, s.type]),
  );
  for (const request of [...REQUESTS, { audio: 1 }]) {
    assert.deepEqual(outcome(header, request), outcome(probed, request), JSON.stringify(request));
  }
});

test('no header plan where the header leaves a doubt or is not Matroska', async () => {
  // High 10 H.264: its bit depth is in the SPS, not in the profile alone.
  for (const kind of ['mkv-h264-10bit', 'mp4', 'ts-h264-aac', 'avi-mpeg4-mp3'] as const) {
    const data = readFileSync(await makeMedia(kind));
    assert.equal(await headerInfo(bufferSource(data, `x.${kind}`)), null, kind);
  }
  assert.equal(await headerInfo(bufferSource(Buffer.from('not a video at all'), 'x.mkv')), null);
});

test('a damaged Tracks element gives no header plan, and no exception', async () => {
  const data = Buffer.from(readFileSync(await makeMedia('mkv-h264-aac')));
  const id = Buffer.from([0x16, 0x54, 0xae, 0x6b]);
  // The first occurrence is the SeekHead's pointer to Tracks; the second, Tracks itself.
  const tracks = data.indexOf(id, data.indexOf(id) + 4);
  assert.ok(tracks > 0);
  data.fill(0xff, tracks + 4, tracks + 12); // a size of all ones: unknown, which Tracks cannot be
  assert.equal(await headerInfo(bufferSource(data, 'broken.mkv')), null);
});

test('a codec the header reader does not know gives no header plan', async () => {
  const data = Buffer.from(readFileSync(await makeMedia('mkv-h264-aac')));
  const at = data.indexOf('V_MPEG4/ISO/AVC');
  assert.ok(at > 0);
  data.write('V_MPEG4/XXX/AVC', at, 'latin1');
  assert.equal(await headerInfo(bufferSource(data, 'odd.mkv')), null);
});

test('reads only the head, in one read: the rest of the file never arriving does not hold it up', async () => {
  const data = readFileSync(await makeMedia('mkv-h264-aac', { seconds: 20, size: '320x240' }));
  const source = new ControllableSource(data, { name: 'movie.mkv' });
  source.release(0, HEAD_BYTES);
  const header = await headerInfo(source);
  assert.ok(header);
  assert.equal(header.settled, true, "FFmpeg's muxer declares progressive video");
  assert.ok(source.highestRead <= HEAD_BYTES);
  assert.equal(source.reads, 1, 'the Tracks lie in the head: every element is read from it');
});

test('elements past the head are read from the source', async () => {
  const data = readFileSync(await makeMedia('mkv-h264-aac', { seconds: 20, size: '320x240' }));
  // A Void element first in the Segment pushes its Tracks past the head.
  const segment = data.indexOf(Buffer.from([0x18, 0x53, 0x80, 0x67]));
  assert.ok(segment > 0);
  const width = Math.clz32(data[segment + 4]!) - 23;
  const sizeAt = segment + 4;
  assert.equal(width, 8, "FFmpeg writes the Segment's size in 8 bytes");
  const size = data.readUIntBE(sizeAt + 2, 6); // the top byte of the 7 is 0
  const voidElement = Buffer.alloc(HEAD_BYTES + 100);
  voidElement[0] = 0xec;
  voidElement[1] = 0x01; // an 8-byte size follows
  voidElement.writeUIntBE(voidElement.length - 9, 3, 6);
  const head = Buffer.from(data.subarray(0, sizeAt + width));
  head.writeUIntBE(size + voidElement.length, sizeAt + 2, 6);
  const padded = Buffer.concat([head, voidElement, data.subarray(sizeAt + width)]);
  const source = new ControllableSource(padded, { name: 'padded.mkv', available: true });
  const header = await headerInfo(source);
  assert.ok(header, 'the Tracks found past the head');
  assert.ok(source.reads > 1);
  assert.deepEqual(
    header.info.streams.map((s) => s.codec),
    ['h264', 'aac'],
  );
});
