import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ReadAt, readKeyframes } from '../../../src/stream/keyframes/index.js';

/**
 * FFmpeg writes OpenDML indexes only past 1 GB, so the layout is built by hand: two RIFF parts (AVI and
 * AVIX) of 50 frames each at 25 fps, a super index in the video strl, one ix00 per part, and an idx1
 * that covers only the first part.
 */
const FRAME = 20;
const PER_PART = 50;
const KEYS = new Set([0, 10, 20, 30, 40, 50, 55, 60, 70, 80, 90]);

const le = (bits: 16 | 32 | 64, v: number) => {
  const b = Buffer.alloc(bits / 8);
  if (bits === 16) b.writeUInt16LE(v);
  else if (bits === 32) b.writeUInt32LE(v);
  else b.writeBigUInt64LE(BigInt(v));
  return b;
};
function chunk(id: string, ...payload: Buffer[]): Buffer {
  const data = Buffer.concat(payload);
  return Buffer.concat([Buffer.from(id, 'latin1'), le(32, data.length), data]);
}
const list = (id: 'LIST' | 'RIFF', type: string, ...children: Buffer[]) =>
  chunk(id, Buffer.from(type, 'latin1'), ...children);

function build(withIdx1: boolean, withIndx = true) {
  const strh = Buffer.alloc(56);
  strh.write('vids', 0, 'latin1');
  strh.writeUInt32LE(1, 20); // scale
  strh.writeUInt32LE(25, 24); // rate
  strh.writeUInt32LE(PER_PART, 32); // length: the first part only, as OpenDML writers do
  const indx = chunk(
    withIndx ? 'indx' : 'JUNK',
    le(16, 4),
    Buffer.from([0, 0]), // sub-type, AVI_INDEX_OF_INDEXES
    le(32, 2),
    Buffer.from('00dc'),
    Buffer.alloc(12),
    Buffer.alloc(32), // two entries, patched below
  );
  const hdrl = list(
    'LIST',
    'hdrl',
    chunk('avih', Buffer.alloc(56)),
    list('LIST', 'strl', chunk('strh', strh), chunk('strf', Buffer.alloc(40)), indx),
  );
  const ix = (part: number) =>
    chunk(
      'ix00',
      le(16, 2),
      Buffer.from([0, 1]), // sub-type, AVI_INDEX_OF_CHUNKS
      le(32, PER_PART),
      Buffer.from('00dc'),
      le(64, 0), // base offset: entries hold absolute positions here
      le(32, 0),
      ...Array.from({ length: PER_PART }, (_, i) =>
        Buffer.concat([le(32, 0), le(32, (FRAME | (KEYS.has(part * PER_PART + i) ? 0 : 0x80000000)) >>> 0)]),
      ),
    );
  const frames = () => Array.from({ length: PER_PART }, () => chunk('00dc', Buffer.alloc(FRAME)));
  const idx1 = chunk(
    'idx1',
    ...Array.from({ length: PER_PART }, (_, i) =>
      Buffer.concat([
        Buffer.from('00dc'),
        le(32, KEYS.has(i) ? 0x10 : 0),
        le(32, 4 + i * (FRAME + 8)),
        le(32, FRAME),
      ]),
    ),
  );
  const first = list(
    'RIFF',
    'AVI ',
    hdrl,
    list('LIST', 'movi', ...frames(), ix(0)),
    ...(withIdx1 ? [idx1] : []),
  );
  const second = list('RIFF', 'AVIX', list('LIST', 'movi', ...frames(), ix(1)));
  const file = Buffer.concat([first, second]);
  // Patch in the positions now that the layout is fixed.
  const indxAt = file.indexOf(withIndx ? 'indx' : 'JUNK') + 8;
  let moviAt = -1;
  for (let part = 0; part < 2; part++) {
    moviAt = file.indexOf('movi', moviAt + 9) - 8;
    const ixAt = moviAt + 12 + PER_PART * (FRAME + 8);
    if (withIndx) file.writeBigUInt64LE(BigInt(ixAt), indxAt + 24 + part * 16);
    for (let i = 0; i < PER_PART; i++)
      file.writeUInt32LE(moviAt + 12 + i * (FRAME + 8) + 8, ixAt + 32 + i * 8);
  }
  return file;
}

const reader =
  (buf: Buffer): ReadAt =>
  async (offset, length) =>
    buf.subarray(offset, offset + length);

test('OpenDML AVI (two RIFF parts): keyframes of both parts from indx + ix00, not the partial idx1', async () => {
  for (const withIdx1 of [true, false]) {
    const file = build(withIdx1);
    const index = await readKeyframes(reader(file), file.length, 'avi');
    assert.ok(index, `an index (idx1 ${withIdx1})`);
    assert.deepEqual(
      index.times.map((t) => Math.round(t * 25)),
      [...KEYS],
    );
    assert.equal(index.duration, 100 / 25);
    assert.equal(index.track, 0);
    for (const at of index.byteOffsets!) assert.equal(file.toString('latin1', at - 8, at - 4), '00dc');
  }
});

test('OpenDML AVI without its indx: null (idx1 alone would miss the second part)', async () => {
  const file = build(true, false);
  assert.equal(await readKeyframes(reader(file), file.length, 'avi'), null);
});
