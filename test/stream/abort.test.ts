import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { abortableWait, drained, isAbortError, untilAborted } from '../../src/stream/abort.js';

describe('abortable waits', () => {
  it('settle by their own event and clean up once', async () => {
    let cleanups = 0;
    const value = await abortableWait<number>(new AbortController().signal, (resolve) => {
      setImmediate(() => resolve(7));
      return () => cleanups++;
    });
    assert.equal(value, 7);
    assert.equal(cleanups, 1);
  });

  it('reject with an AbortError when the signal aborts first, and clean up', async () => {
    const controller = new AbortController();
    let cleanups = 0;
    const waiting = abortableWait<void>(controller.signal, () => () => cleanups++);
    controller.abort();
    await assert.rejects(waiting, (err) => isAbortError(err));
    assert.equal(cleanups, 1);
  });

  it('reject at once on an aborted signal, without starting', async () => {
    let started = false;
    const waiting = abortableWait<void>(AbortSignal.abort(), () => {
      started = true;
      return undefined;
    });
    await assert.rejects(waiting, (err) => isAbortError(err));
    assert.equal(started, false);
  });

  it('a synchronous settle still runs the cleanup', async () => {
    let cleanups = 0;
    await abortableWait<void>(undefined, (resolve) => {
      resolve();
      return () => cleanups++;
    });
    assert.equal(cleanups, 1);
  });

  it('untilAborted stops this waiter only; the shared promise goes on', async () => {
    let finish!: (value: string) => void;
    const shared = new Promise<string>((resolve) => (finish = resolve));
    const controller = new AbortController();
    const mine = untilAborted(shared, controller.signal);
    controller.abort();
    await assert.rejects(mine, (err) => isAbortError(err));
    finish('done');
    assert.equal(await untilAborted(shared, new AbortController().signal), 'done');
  });

  it('drained resolves on drain and unhooks its listeners', async () => {
    const stream = new EventEmitter();
    const waiting = drained(stream);
    assert.equal(stream.listenerCount('drain'), 1);
    stream.emit('drain');
    await waiting;
    assert.equal(stream.listenerCount('drain') + stream.listenerCount('close'), 0);
  });
});
