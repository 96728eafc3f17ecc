import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { ebmlDocType } from '../../src/stream/ebml.js';
import { InitSegmentWatcher } from '../../src/stream/init-segment.js';
import { findMoov, parseBoxHeader } from '../../src/stream/mp4-boxes.js';
import { collector } from './stream-helpers.js';

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

/**
 * Writes `stream` in chunks of `size`, each a view of one buffer reused once the write calls back (as the
 * job lends FFmpeg's stdout), and hands the watcher a destination once its init segment is out.
 */
async function feed(watcher: InitSegmentWatcher, stream: Buffer, size: number) {
  const sink = collector(true);
  let fed = 0;
  let resolvedAt = -1;
  void watcher.init.then(() => {
    resolvedAt = fed;
    watcher.sendTo(sink);
  });
  const lent = Buffer.alloc(size);
  for (let i = 0; i < stream.length; i += size) {
    const chunk = stream.subarray(i, i + size);
    chunk.copy(lent);
    fed = i + chunk.length;
    await new Promise<void>((resolve, reject) =>
      watcher.write(lent.subarray(0, chunk.length), (err) => (err ? reject(err) : resolve())),
    );
    lent.fill(0xee); // what a reused buffer's next read would do
  }
  await new Promise<void>((resolve) => watcher.end(resolve));
  return { sink, resolvedAt };
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
    const { sink, resolvedAt } = await feed(watcher, stream, size);
    assert.equal(await watcher.init, initEnd);
    assert.ok(
      resolvedAt >= initEnd && resolvedAt < initEnd + size,
      `chunk ${size}: resolved at ${resolvedAt}`,
    );
    assert.equal(watcher.firstMoofOffset, initEnd);
    assert.ok(sink.bytes().equals(stream), `chunk ${size}: every byte passes through unchanged`);
  }
});

test('past the init segment a chunk waits for the destination, and is out only once it calls back', async () => {
  const stream = Buffer.concat([box('ftyp', 20), box('moov', 700), box('moof', 100), box('mdat', 5000)]);
  const watcher = new InitSegmentWatcher();
  let answered = false;
  watcher.write(stream, () => {
    answered = true;
  });
  await watcher.init;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(answered, false, 'answered before any destination was given');
  let fragmentSent = false;
  let release: () => void = () => undefined;
  const held = new Writable({
    write(_chunk, _enc, callback) {
      release = callback;
    },
  });
  watcher.sendTo(held, () => {
    fragmentSent = true;
  });
  assert.equal(fragmentSent, true, 'the chunk holding the first moof went out');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(answered, false, 'answered before the destination called back');
  release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(answered, true);
});

test('output that ends (or is destroyed) before a moov rejects init; so does a destination closing', async () => {
  const ended = new InitSegmentWatcher();
  ended.end(box('ftyp', 20));
  await assert.rejects(ended.init, /without an init segment/);
  const destroyed = new InitSegmentWatcher();
  destroyed.write(box('ftyp', 20));
  destroyed.destroy();
  await assert.rejects(destroyed.init);
  const cut = new InitSegmentWatcher();
  const destination = collector();
  cut.sendTo(destination);
  cut.write(box('ftyp', 20));
  destination.destroy();
  await assert.rejects(cut.init);
  assert.equal(cut.destroyed, true, 'the destination closing stops the output');
  const late = new InitSegmentWatcher();
  const gone = collector();
  gone.destroy();
  late.sendTo(gone);
  assert.equal(late.destroyed, true, 'a destination already closed stops the output');
  const stopped = new InitSegmentWatcher();
  stopped.write(box('ftyp', 20));
  stopped.destroy();
  const after = collector();
  stopped.sendTo(after);
  assert.equal(after.bytes().length, 0, 'a stopped output sent what it held');
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
