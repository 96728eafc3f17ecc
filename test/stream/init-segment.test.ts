import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ebmlDocType } from '../../src/stream/ebml.js';
import { InitSegmentWatcher } from '../../src/stream/init-segment.js';
import { findMoov, parseBoxHeader } from '../../src/stream/mp4-boxes.js';

function box(type: string, payload: number, large = false): Buffer {
  if (large) {
    const b = Buffer.alloc(16 + payload);
    b.writeUInt32BE(1, 0);
    b.write(type, 4, 'latin1');
    b.writeBigUInt64BE(BigInt(16 + payload), 8);
    return b;
  }
  const b = Buffer.alloc(8 + payload, 0x5a);
  b.writeUInt32BE(8 + payload, 0);
  b.write(type, 4, 'latin1');
  return b;
}

test('init resolves only once the last moov byte has passed, whatever the chunking', async () => {
  const stream = Buffer.concat([
    box('ftyp', 20),
    box('moov', 700),
    box('moof', 100, true),
    box('mdat', 5000),
  ]);
  const initEnd = 28 + 708;
  for (const size of [1, 3, 7, 16, 100, 735, 736, 5000]) {
    const watcher = new InitSegmentWatcher();
    const out: Buffer[] = [];
    watcher.on('data', (c: Buffer) => out.push(c));
    let resolvedAt = -1;
    let fed = 0;
    void watcher.init.then(() => {
      resolvedAt = fed;
    });
    for (let i = 0; i < stream.length; i += size) {
      watcher.write(stream.subarray(i, i + size));
      fed = Math.min(stream.length, i + size);
      await Promise.resolve();
      await Promise.resolve();
    }
    watcher.end();
    assert.equal(await watcher.init, initEnd);
    assert.ok(
      resolvedAt >= initEnd && resolvedAt < initEnd + size,
      `chunk ${size}: resolved at ${resolvedAt}`,
    );
    assert.equal(watcher.firstMoofOffset, initEnd);
    assert.ok(Buffer.concat(out).equals(stream), 'passes every byte through unchanged');
  }
});

test('output that ends (or is destroyed) before a moov rejects init', async () => {
  const ended = new InitSegmentWatcher();
  ended.resume();
  ended.end(box('ftyp', 20));
  await assert.rejects(ended.init, /without an init segment/);
  const destroyed = new InitSegmentWatcher();
  destroyed.write(box('ftyp', 20));
  destroyed.destroy();
  await assert.rejects(destroyed.init);
});

test('box headers, 64-bit sizes, and where the moov sits', async () => {
  assert.deepEqual(parseBoxHeader(box('mdat', 10, true)), { type: 'mdat', size: 26, headerSize: 16 });
  assert.equal(parseBoxHeader(Buffer.alloc(4)), null);
  assert.throws(() => parseBoxHeader(Buffer.from([0, 0, 0, 3, 0x6d, 0x6f, 0x6f, 0x76])));
  const read = (file: Buffer) => async (o: number, l: number) => file.subarray(o, o + l);
  const moovLast = Buffer.concat([box('ftyp', 20), box('free', 8), box('mdat', 1000, true), box('moov', 50)]);
  assert.equal(await findMoov(read(moovLast), moovLast.length), 'end');
  const moovFirst = Buffer.concat([box('ftyp', 20), box('moov', 50), box('mdat', 1000)]);
  assert.equal(await findMoov(read(moovFirst), moovFirst.length), 'start');
});

test('EBML DocType tells WebM from Matroska', () => {
  const header = (doctype: string) =>
    Buffer.concat([
      Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x80 | doctype.length]),
      Buffer.from(doctype, 'latin1'),
    ]);
  assert.equal(ebmlDocType(header('webm')), 'webm');
  assert.equal(ebmlDocType(header('matroska')), 'matroska');
  assert.equal(ebmlDocType(Buffer.from('RIFF....AVI LIST')), null);
});
