import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Fmp4Error, type Fmp4Part, readFmp4 } from '../../../src/stream/hls/fmp4-reader.js';
import { box, box64, fragment, init } from './fmp4-fixtures.js';

async function* chunked(bytes: Buffer, sizes: (i: number) => number): AsyncGenerator<Buffer> {
  for (let pos = 0, i = 0; pos < bytes.length; i++) {
    const n = Math.max(1, sizes(i));
    yield bytes.subarray(pos, pos + n);
    pos += n;
  }
}

async function read(bytes: Buffer, sizes: (i: number) => number = () => bytes.length): Promise<Fmp4Part[]> {
  const parts: Fmp4Part[] = [];
  for await (const part of readFmp4(chunked(bytes, sizes))) parts.push(part);
  return parts;
}

describe('readFmp4', () => {
  const head = init(48_000);
  const fragments = [
    fragment(480_000),
    fragment(481_024, { cto: 2048 }),
    fragment(482_048, { bigMdat: true }),
  ];
  // Boxes between fragments (styp, sidx, free) are nothing a segment needs.
  const between = [box('styp', Buffer.from('msdh')), box('free')];
  const stream = Buffer.concat([head, fragments[0]!, ...between, fragments[1]!, fragments[2]!]);

  it('yields the init segment, then each fragment with its first sample’s presentation time', async () => {
    const parts = await read(stream);
    assert.deepEqual(
      parts.map((p) => p.kind),
      ['init', 'fragment', 'fragment', 'fragment'],
    );
    assert.deepEqual(parts[0], { kind: 'init', bytes: head, timescale: 48_000 });
    assert.deepEqual(
      parts.slice(1).map((p) => (p.kind === 'fragment' ? p.pts : null)),
      [10, (481_024 + 2048) / 48_000, 482_048 / 48_000],
    );
    assert.deepEqual(
      parts.slice(1).map((p) => p.bytes),
      fragments,
      'moof and mdat, whole (a 64-bit mdat too); styp and free dropped',
    );
  });

  it('gives the same parts however the output is cut into chunks', async () => {
    const whole = await read(stream);
    assert.deepEqual(await read(stream, () => 1), whole, 'byte by byte');
    assert.deepEqual(
      await read(stream, (i) => [3, 7, 16, 5, 1000, 2][i % 6]!),
      whole,
      'splits inside headers',
    );
    assert.deepEqual(await read(stream, (i) => (i === 0 ? head.length : 9)), whole, 'cut at the init');
  });

  it('reads 64-bit decode times, version-1 mdhd and negative composition offsets', async () => {
    const large = 2 ** 33 + 90_000;
    const parts = await read(
      Buffer.concat([
        init(90_000, 1),
        fragment(large),
        fragment(large + 3750, { cto: -3750, trunVersion: 1 }),
      ]),
    );
    assert.equal(parts[0]!.kind === 'init' && parts[0]!.timescale, 90_000);
    assert.deepEqual(
      parts.slice(1).map((p) => (p.kind === 'fragment' ? p.pts : null)),
      [large / 90_000, large / 90_000],
    );
  });

  it('throws when the output ends inside a box', async () => {
    const cut = stream.subarray(0, stream.length - 4);
    await assert.rejects(
      read(cut),
      (err) => err instanceof Fmp4Error && /ended inside a box/.test(err.message),
    );
    await assert.rejects(
      read(cut, () => 5),
      Fmp4Error,
    );
    // Cut inside a box header too.
    await assert.rejects(read(stream.subarray(0, head.length + 5)), Fmp4Error);
  });

  it('throws on a box no FFmpeg fragment has (a box running to the end, or gigabytes)', async () => {
    const endless = Buffer.from(head);
    endless.writeUInt32BE(0, 0); // size 0: to the end of the file
    await assert.rejects(read(endless), Fmp4Error);
    const huge = Buffer.concat([head, box64('mdat', Buffer.alloc(8))]);
    huge.writeBigUInt64BE(2n ** 40n, head.length + 8);
    await assert.rejects(read(huge), Fmp4Error);
  });

  it('throws on an init segment without a track timescale', async () => {
    const bare = Buffer.concat([
      box('ftyp', Buffer.alloc(8)),
      box('moov', box('mvhd', Buffer.alloc(100))),
      fragment(0),
    ]);
    await assert.rejects(read(bare), (err) => err instanceof Fmp4Error && /timescale/.test(err.message));
  });
});
