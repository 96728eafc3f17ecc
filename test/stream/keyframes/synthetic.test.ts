import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyframeIndexError, type ReadAt, readKeyframes } from '../../../src/stream/keyframes/index.js';

/** Hand-built files for the layouts FFmpeg does not write, and for film-sized tables. */
function recorder(buf: Buffer) {
  const reads: Array<[number, number]> = [];
  const read: ReadAt = async (offset, length) => {
    reads.push([offset, length]);
    return buf.subarray(offset, offset + length);
  };
  return {
    read,
    reads,
    bytes: () => reads.reduce((n, [o, l]) => n + Math.max(0, Math.min(l, buf.length - o)), 0),
  };
}

/** Counts event-loop turns taken while `work` runs: parsing must yield between chunks. */
async function turnsDuring<T>(work: Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let done = false;
  const spin = () => {
    turns++;
    if (!done) setImmediate(spin);
  };
  setImmediate(spin);
  const value = await work.finally(() => {
    done = true;
  });
  return { value, turns };
}

// --- Matroska ---------------------------------------------------------------------------------------

function el(id: number, ...payload: Buffer[]): Buffer {
  const data = Buffer.concat(payload);
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE(BigInt(data.length));
  size[0] = 0x01; // 8-byte size varint (values < 2^56)
  return Buffer.concat([Buffer.from(id.toString(16).padStart(2, '0'), 'hex'), size, data]);
}
const uintEl = (id: number, v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return el(id, b);
};
const floatEl = (id: number, v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return el(id, b);
};

const ebmlHeader = el(0x1a45dfa3, el(0x4282, Buffer.from('matroska')));
const info = el(0x1549a966, uintEl(0x2ad7b1, 1_000_000), floatEl(0x4489, 60_000));
const tracks = el(
  0x1654ae6b,
  el(0xae, uintEl(0xd7, 1), uintEl(0x83, 2)), // audio first
  el(0xae, uintEl(0xd7, 2), uintEl(0x83, 1)),
);
const cluster = el(0x1f43b675, Buffer.alloc(1 << 20, 0x55));
function cues(points: number, clusterAt: number): Buffer {
  const list: Buffer[] = [];
  for (let i = 0; i < points; i++) {
    const pos = (track: number) => el(0xb7, uintEl(0xf7, track), uintEl(0xf1, clusterAt));
    list.push(el(0xbb, uintEl(0xb3, i * 2000), pos(1), pos(2)));
  }
  return el(0x1c53bb6b, ...list);
}
function seekHead(entries: Array<[number, number]>): Buffer {
  return el(
    0x114d9b74,
    ...entries.map(([id, pos]) =>
      el(0x4dbb, el(0x53ab, Buffer.from(id.toString(16), 'hex')), uintEl(0x53ac, pos)),
    ),
  );
}
function segment(children: Buffer[], unknownSize = false): Buffer {
  const seg = el(0x18538067, ...children);
  if (unknownSize) seg.fill(0xff, 5, 12).writeUInt8(0x01, 4);
  return Buffer.concat([ebmlHeader, seg]);
}

test('MKV without SeekHead: Cues before the first Cluster are found by the top-level walk', async () => {
  const head = info.length + tracks.length;
  const file = segment([info, tracks, cues(30, head + cues(30, 0).length), cluster]);
  const { read, bytes } = recorder(file);
  const index = await readKeyframes(read, file.length, 'matroska');
  assert.equal(index?.track, 2);
  assert.deepEqual(index?.times.slice(0, 3), [0, 2, 4]);
  assert.equal(index?.times.length, 30);
  assert.equal(index?.duration, 60);
  assert.ok(bytes() < 8192);
});

test('MKV without SeekHead and Cues after the Clusters: null, without reading the Cluster', async () => {
  const file = segment([info, tracks, cluster, cues(30, info.length + tracks.length)]);
  const { read, bytes } = recorder(file);
  assert.equal(await readKeyframes(read, file.length, 'matroska'), null);
  assert.ok(bytes() < 4096, `${bytes()} bytes`);
});

test('MKV: a SeekHead pointing to a second SeekHead at the end, unknown-size Segment, 50k CuePoints in chunks', async () => {
  const body = [info, tracks, cluster];
  const first = seekHead([[0x114d9b74, 0]]).length; // same size whatever the position
  const bodyLength = body.reduce((n, b) => n + b.length, 0);
  const secondAt = (cuesAt: number) =>
    seekHead([
      [0x1549a966, first],
      [0x1654ae6b, first + info.length],
      [0x1c53bb6b, cuesAt],
    ]);
  const second = secondAt(first + bodyLength + secondAt(0).length);
  const cueList = cues(50_000, first + info.length + tracks.length);
  const file = segment([seekHead([[0x114d9b74, first + bodyLength]]), ...body, second, cueList], true);
  const { read, reads } = recorder(file);
  const { value: index, turns } = await turnsDuring(readKeyframes(read, file.length, 'matroska'));
  assert.equal(index?.times.length, 50_000);
  assert.equal(index?.times.at(-1), 49_999 * 2);
  assert.ok(
    reads.every(([, length]) => length <= 256 * 1024),
    'no read over a chunk',
  );
  assert.ok(turns > 3, `${turns} event-loop turns while parsing`);
});

test('MKV: Cues claiming 100 MB fail clearly instead of being read', async () => {
  const fake = Buffer.concat([Buffer.from([0x1c, 0x53, 0xbb, 0x6b, 0x01, 0, 0]), Buffer.alloc(5)]);
  fake.writeUIntBE(100_000_000, 7, 5);
  const file = segment([info, tracks, fake], true);
  const { read } = recorder(file);
  await assert.rejects(readKeyframes(read, file.length + 100_000_000, 'matroska'), /more than/);
});

// --- MP4 --------------------------------------------------------------------------------------------

function box(type: string, ...payload: Buffer[]): Buffer {
  const data = Buffer.concat(payload);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + data.length);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, data]);
}
const u32s = (...values: Array<number | number[]>) => {
  const flat = values.flat();
  const b = Buffer.alloc(flat.length * 4);
  flat.forEach((v, i) => {
    b.writeInt32BE(v | 0, i * 4);
  });
  return b;
};
const full = (type: string, ...payload: Buffer[]) => box(type, u32s(0), ...payload);

/** A film-sized video track (plus an audio one first): N samples of 10 bytes, 10 per chunk. */
function bigMp4(samples: number) {
  const mdatData = 16;
  const syncs: number[] = [];
  for (let s = 1; s <= samples; s += 48) syncs.push(s);
  const chunks = Math.ceil(samples / 10);
  const hdlr = (kind: string) => full('hdlr', u32s(0), Buffer.from(kind), u32s(0, 0, 0), Buffer.from([0]));
  const audio = box(
    'trak',
    full('tkhd', u32s(0, 0, 1)),
    box('mdia', full('mdhd', u32s(0, 0, 48000, 0)), hdlr('soun')),
  );
  const cttsEntries: number[] = [];
  for (let i = 0; i < samples; i++) cttsEntries.push(1, 2002);
  const stbl = box(
    'stbl',
    full('stts', u32s(1, samples, 1001)),
    full('ctts', u32s(samples, cttsEntries)),
    full('stss', u32s(syncs.length, syncs)),
    full('stsc', u32s(1, 1, 10, 1)),
    full(
      'stsz',
      u32s(
        0,
        samples,
        Array.from({ length: samples }, () => 10),
      ),
    ),
    full(
      'stco',
      u32s(
        chunks,
        Array.from({ length: chunks }, (_, c) => mdatData + c * 100),
      ),
    ),
  );
  const video = box(
    'trak',
    full('tkhd', u32s(0, 0, 2)),
    box('edts', full('elst', u32s(1, samples * 1001, 2002, 0x10000))),
    box('mdia', full('mdhd', u32s(0, 0, 24000, samples * 1001)), hdlr('vide'), box('minf', stbl)),
  );
  const moov = box('moov', full('mvhd', u32s(0, 0, 1000, 0)), audio, video);
  const mdat = box('mdat', Buffer.alloc(8), Buffer.alloc(samples * 10));
  return {
    file: Buffer.concat([mdat.subarray(0, 8), Buffer.alloc(8), mdat.subarray(16), moov]),
    syncs,
    video,
    mdatData,
  };
}

test('MP4: 150k samples (a 2-hour film at 24 fps), moov at the end, parsed linearly in chunks', async () => {
  const { file, syncs } = bigMp4(150_000);
  const { read, reads } = recorder(file);
  const { value: index, turns } = await turnsDuring(readKeyframes(read, file.length, 'mp4'));
  assert.ok(index);
  assert.equal(index.track, 2);
  assert.equal(index.times.length, syncs.length);
  // pts = dts + ctts − the edit list's media_time: the ctts shift cancels out.
  for (const [k, s] of syncs.entries()) {
    assert.ok(Math.abs(index.times[k]! - ((s - 1) * 1001) / 24000) < 1e-9);
    assert.equal(index.byteOffsets?.[k], 8 + 8 + (s - 1) * 10);
  }
  assert.ok(Math.abs(index.duration! - (150_000 * 1001) / 24000) < 1e-6);
  assert.ok(
    reads.every(([, length]) => length <= 256 * 1024),
    'no read over a chunk',
  );
  const mdatEnd = 16 + 150_000 * 10;
  assert.ok(
    reads.every(([offset, length]) => offset + length <= 16 || offset >= mdatEnd),
    'no sample data read',
  );
  assert.ok(turns > 3, `${turns} event-loop turns while parsing`);
});

test('MP4: an stss claiming more entries than its box holds fails clearly', async () => {
  const { file } = bigMp4(100);
  const at = file.indexOf('stss') + 8;
  file.writeUInt32BE(0x7fffffff, at);
  await assert.rejects(readKeyframes(recorder(file).read, file.length, 'mp4'), KeyframeIndexError);
});

test('MP4: a one-sample video track (a cover picture) before the film is passed over', async () => {
  const cover = bigMp4(1).video;
  const film = bigMp4(100).video;
  const file = Buffer.concat([
    box('ftyp', Buffer.from('isom')),
    box('moov', full('mvhd', u32s(0, 0, 1000, 0)), cover, film),
  ]);
  const index = await readKeyframes(recorder(file).read, file.length, 'mp4');
  assert.equal(index?.times.length, 3);
  const alone = Buffer.concat([box('ftyp', Buffer.from('isom')), box('moov', cover)]);
  assert.deepEqual((await readKeyframes(recorder(alone).read, alone.length, 'mp4'))?.times, [0]);
});
