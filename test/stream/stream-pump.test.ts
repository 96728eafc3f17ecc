import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import { DataSourceError } from '../../src/stream/data-source.js';
import { StreamPump } from '../../src/stream/stream-pump.js';
import { ControllableSource, patternBytes } from '../helpers/controllable-source.js';

/** A writable that keeps what it receives; `gate` (when set) holds each write until the test opens it. */
class Collector extends Writable {
  chunks: Buffer[] = [];
  consumed = 0;
  held: Array<() => void> = [];
  constructor(
    private readonly gated = false,
    highWaterMark = 16 * 1024,
  ) {
    super({ highWaterMark });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (err?: Error | null) => void): void {
    const accept = () => {
      this.chunks.push(chunk);
      this.consumed += chunk.length;
      callback();
    };
    if (this.gated) this.held.push(accept);
    else accept();
  }
  get data(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

test('delayed data arrives complete and in order, holes filled later', async () => {
  const data = patternBytes(1_000_000);
  const source = new ControllableSource(data);
  const out = new Collector();
  const pump = new StreamPump(source, { chunkSize: 64 * 1024 });
  const done = pump.pumpTo(out);
  // A hole in the middle first, then the head, then the rest: the pump still writes strictly in order.
  source.release(500_000, 700_000);
  await source.whenWaiting();
  assert.equal(out.consumed, 0);
  source.release(0, 300_000);
  await source.whenWaiting();
  assert.equal(out.consumed, 262_144); // four whole chunks, the fifth straddles the hole
  source.release(300_000, 500_000);
  source.release(700_000);
  const result = await done;
  assert.deepEqual(result, { bytes: data.length, outcome: 'complete' });
  assert.equal(pump.bytesPumped, data.length);
  assert.ok(out.data.equals(data));
});

test('by default the head goes out in small chunks: the first bytes do not wait for a whole chunk', async () => {
  const data = patternBytes(2_000_000);
  const source = new ControllableSource(data);
  const out = new Collector();
  const done = new StreamPump(source, { start: 1000 }).pumpTo(out);
  // A torrent's first small pieces: far less than the 256 KiB of a full chunk.
  source.release(0, 1000 + 40_000);
  await source.whenWaiting();
  assert.ok(out.consumed >= 32 * 1024 && out.consumed <= 40_000, `${out.consumed} bytes out`);
  source.release(0);
  assert.deepEqual(await done, { bytes: data.length - 1000, outcome: 'complete' });
  assert.ok(out.data.equals(data.subarray(1000)));
});

test('start/end are exact', async () => {
  const data = patternBytes(300_000);
  const source = new ControllableSource(data, { available: true });
  const out = new Collector();
  const result = await new StreamPump(source, { start: 1234, end: 250_001, chunkSize: 10_000 }).pumpTo(out);
  assert.deepEqual(result, { bytes: 250_001 - 1234, outcome: 'complete' });
  assert.ok(out.data.equals(data.subarray(1234, 250_001)));
  // end past the size is clipped to it; start at the end writes nothing
  const tail = new Collector();
  assert.equal((await new StreamPump(source, { start: 299_990, end: 10 ** 9 }).pumpTo(tail)).bytes, 10);
  assert.ok(tail.data.equals(data.subarray(299_990)));
  assert.deepEqual(await new StreamPump(source, { start: 300_000 }).pumpTo(new Collector()), {
    bytes: 0,
    outcome: 'complete',
  });
});

test('a source failure ends the pump as failed with lastError, without throwing', async () => {
  const source = new ControllableSource(patternBytes(200_000));
  source.release(0, 150_000);
  const boom = new DataSourceError('piece 3 failed its hash check', 'CORRUPT');
  source.failAt(150_000, boom);
  const out = new Collector();
  const pump = new StreamPump(source, { chunkSize: 50_000 });
  const result = await pump.pumpTo(out);
  assert.deepEqual(result, { bytes: 150_000, outcome: 'failed' });
  assert.equal(pump.lastError, boom);
  assert.equal(out.consumed, 150_000);
});

test('a failure injected while the read is waiting also fails the pump', async () => {
  const source = new ControllableSource(patternBytes(100_000));
  const pump = new StreamPump(source, { chunkSize: 50_000 });
  const done = pump.pumpTo(new Collector());
  await source.whenWaiting();
  source.failAt(10, new Error('tracker says no'));
  assert.equal((await done).outcome, 'failed');
  assert.equal(pump.lastError?.message, 'tracker says no');
});

test('a reader that closes early ends the pump with reader-closed', async () => {
  const source = new ControllableSource(patternBytes(1_000_000));
  source.release(0, 100_000);
  const out = new PassThrough();
  const received: Buffer[] = [];
  out.on('data', (c: Buffer) => received.push(c));
  const pump = new StreamPump(source, { chunkSize: 50_000 });
  const done = pump.pumpTo(out);
  await source.whenWaiting(); // blocked at 100 000 waiting for bytes
  out.destroy();
  const result = await done;
  assert.equal(result.outcome, 'reader-closed');
  assert.equal(result.bytes, 100_000);
  assert.equal(pump.lastError, null);
  assert.equal(source.waiting, 0, 'the pending source read was abandoned');
});

test('writing into an already destroyed writable is reader-closed', async () => {
  const source = new ControllableSource(patternBytes(1000), { available: true });
  const out = new PassThrough();
  out.destroy();
  assert.equal((await new StreamPump(source).pumpTo(out)).outcome, 'reader-closed');
});

test('abort while waiting for data ends the pump as aborted', async () => {
  const source = new ControllableSource(patternBytes(500_000));
  source.release(0, 60_000);
  const controller = new AbortController();
  const pump = new StreamPump(source, { chunkSize: 30_000, signal: controller.signal });
  const done = pump.pumpTo(new Collector());
  await source.whenWaiting();
  controller.abort();
  assert.deepEqual(await done, { bytes: 60_000, outcome: 'aborted' });
  assert.equal(source.waiting, 0);
});

test('a slow reader keeps the bytes read from the source but not consumed bounded', async () => {
  const chunkSize = 64 * 1024;
  const data = patternBytes(2_000_000);
  const source = new ControllableSource(data, { available: true });
  const out = new Collector(true, 16 * 1024);
  const done = new StreamPump(source, { chunkSize }).pumpTo(out);
  let maxOutstanding = 0;
  // Let the reader take one write at a time; between writes the pump must be waiting on drain.
  while (out.consumed < data.length) {
    if (out.held.length === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    maxOutstanding = Math.max(maxOutstanding, source.bytesRead - out.consumed);
    out.held.shift()!();
  }
  assert.deepEqual(await done, { bytes: data.length, outcome: 'complete' });
  assert.ok(out.data.equals(data));
  assert.ok(maxOutstanding > 0);
  assert.ok(maxOutstanding <= chunkSize, `outstanding ${maxOutstanding} > one chunk`);
});

test('stalled flips true while waiting past stallAfterMs and back to false when data comes', async () => {
  const source = new ControllableSource(patternBytes(100_000));
  const events: boolean[] = [];
  let stalledSeen!: () => void;
  const stalledNow = new Promise<void>((resolve) => {
    stalledSeen = resolve;
  });
  const pump = new StreamPump(source, {
    stallAfterMs: 20,
    onStall: (s) => {
      events.push(s);
      if (s) stalledSeen();
    },
  });
  const out = new Collector();
  const done = pump.pumpTo(out);
  await stalledNow;
  assert.equal(pump.stalled, true);
  assert.equal(out.consumed, 0);
  source.release(0);
  assert.equal((await done).outcome, 'complete');
  assert.equal(pump.stalled, false);
  assert.deepEqual(events, [true, false]);
});

test('the pump waits for drain also when the writable just closes', async () => {
  const source = new ControllableSource(patternBytes(400_000), { available: true });
  const out = new Collector(true, 1024);
  const done = new StreamPump(source, { chunkSize: 100_000 }).pumpTo(out);
  while (out.held.length === 0) await new Promise((resolve) => setImmediate(resolve));
  out.destroy();
  await once(out, 'close');
  assert.equal((await done).outcome, 'reader-closed');
});

test('queueBytes lets that many bytes wait in the writable, and no more', async () => {
  const chunkSize = 64 * 1024;
  const queueBytes = 256 * 1024;
  const data = patternBytes(2_000_000);
  const source = new ControllableSource(data, { available: true });
  const out = new Collector(true, 16 * 1024);
  const done = new StreamPump(source, { chunkSize, queueBytes }).pumpTo(out);
  let maxOutstanding = 0;
  while (out.consumed < data.length) {
    if (out.held.length === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    maxOutstanding = Math.max(maxOutstanding, source.bytesRead - out.consumed);
    out.held.shift()!();
  }
  assert.deepEqual(await done, { bytes: data.length, outcome: 'complete' });
  assert.ok(out.data.equals(data));
  // More than the one chunk of a plain pump went ahead of the reader, but never past the queue and a chunk.
  assert.ok(maxOutstanding > chunkSize, `outstanding ${maxOutstanding} ≤ one chunk: no queue`);
  assert.ok(maxOutstanding <= queueBytes + chunkSize, `outstanding ${maxOutstanding} > queue + chunk`);
});

test('with queueBytes, abort and a closing reader still end the pump', async () => {
  const source = new ControllableSource(patternBytes(2_000_000), { available: true });
  const controller = new AbortController();
  const stuck = new Collector(true, 1024); // takes nothing: the queue fills and the pump waits on it
  const aborted = new StreamPump(source, {
    chunkSize: 50_000,
    queueBytes: 100_000,
    signal: controller.signal,
  });
  const done = aborted.pumpTo(stuck);
  while (stuck.held.length === 0) await new Promise((resolve) => setImmediate(resolve));
  controller.abort();
  assert.equal((await done).outcome, 'aborted');

  const closing = new Collector(true, 1024);
  const closed = new StreamPump(source, { chunkSize: 50_000, queueBytes: 100_000 }).pumpTo(closing);
  while (closing.held.length === 0) await new Promise((resolve) => setImmediate(resolve));
  closing.destroy();
  assert.equal((await closed).outcome, 'reader-closed');
});
