/**
 * A source opened after its reader started (deferred-source.ts): reads wait for it, its size is learned
 * when the file is known, and the pump started before then still ends exactly at the file's end.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { bufferSource } from '../../src/stream/data-source.js';
import { deferredSource } from '../../src/stream/deferred-source.js';
import { StreamPump } from '../../src/stream/stream-pump.js';
import { ControllableSource, patternBytes } from '../helpers/controllable-source.js';

function sink(): Writable & { bytes(): Buffer } {
  const chunks: Buffer[] = [];
  const writable = new Writable({
    write(chunk: Buffer, _enc, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return Object.assign(writable, { bytes: () => Buffer.concat(chunks) });
}

test('a size given up front is the size; reads wait for the source settled later', async () => {
  const data = patternBytes(10_000);
  const deferred = deferredSource('a.mkv', data.length);
  assert.equal(deferred.size, data.length);
  const read = deferred.read(100, 50);
  deferred.settle(Promise.resolve(bufferSource(data, 'a.mkv')));
  assert.deepEqual(await read, data.subarray(100, 150));
});

test('without a size, the size is unknown (Infinity) until the source is known', async () => {
  const data = patternBytes(10_000);
  const deferred = deferredSource('file 0 of a torrent');
  assert.equal(deferred.size, Number.POSITIVE_INFINITY);
  deferred.settle(Promise.resolve(bufferSource(data, 'a.mkv')));
  assert.equal((await deferred.read(0, 10)).length, 10);
  assert.equal(deferred.size, data.length);
});

test('settled with a size: known at once, before the source is open', () => {
  const deferred = deferredSource('file 0 of a torrent');
  deferred.settle(new Promise(() => undefined), 1234);
  assert.equal(deferred.size, 1234);
});

test('a pump started before the file is known writes exactly its bytes, and completes', async () => {
  const data = patternBytes(700_000);
  const real = new ControllableSource(data, { name: 'b.mkv', available: true });
  const deferred = deferredSource('file 0 of a torrent');
  const out = sink();
  const pumping = new StreamPump(deferred).pumpTo(out);
  await new Promise((resolve) => setTimeout(resolve, 10)); // the pump waits on the unknown file
  assert.equal(real.reads, 0);
  deferred.settle(Promise.resolve(real));
  const { bytes, outcome } = await pumping;
  assert.equal(outcome, 'complete');
  assert.equal(bytes, data.length);
  assert.ok(out.bytes().equals(data));
});

test('closed before it is settled, a waiting read fails and the pump ends failed', async () => {
  const deferred = deferredSource('file 0 of a torrent');
  const pump = new StreamPump(deferred);
  const pumping = pump.pumpTo(sink());
  await deferred.close();
  const { outcome } = await pumping;
  assert.equal(outcome, 'failed');
  assert.match(pump.lastError?.message ?? '', /closed before it was opened/);
});
