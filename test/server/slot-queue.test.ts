/**
 * The queue of requests waiting for FFmpeg slots (src/server/slot-queue.ts): served in the order they came,
 * each as soon as what it needs is back; a waiter that leaves gives its place up at once; past its patience
 * a waiter is refused with the 503 the limits always gave. Outcomes and order, never durations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { acquireAll, Limiter, LimitReachedError } from '../../src/server/limiter.js';
import { SlotQueue } from '../../src/server/slot-queue.js';

/** Records the order waiters were served in. */
function served(log: string[], name: string, waiting: Promise<() => void>) {
  return waiting.then((release) => {
    log.push(name);
    return release;
  });
}

describe('SlotQueue', () => {
  it('serves waiters in the order they came, each when a slot comes back', async () => {
    const processes = new Limiter(1);
    const queue = new SlotQueue([processes], 60_000);
    const held = queue.take([processes]);
    const log: string[] = [];
    const first = served(log, 'first', queue.acquire([processes]));
    const second = served(log, 'second', queue.acquire([processes]));
    assert.equal(queue.waiting, 2);
    assert.throws(() => queue.take([processes]), LimitReachedError, 'a newcomer does not jump the queue');
    held();
    (await first)();
    const last = await second;
    assert.deepEqual(log, ['first', 'second']);
    assert.equal(processes.inUse, 1);
    last();
    assert.equal(processes.inUse, 0);
    assert.equal(queue.waiting, 0);
  });

  it('a waiter that leaves gives its place up at once, to the one behind it', async () => {
    const processes = new Limiter(1);
    const queue = new SlotQueue([processes], 60_000);
    const held = queue.take([processes]);
    const leaving = new AbortController();
    const gone = queue.acquire([processes], leaving.signal);
    const staying = queue.acquire([processes]);
    leaving.abort();
    await assert.rejects(gone, { name: 'AbortError' });
    assert.equal(queue.waiting, 1);
    held();
    (await staying)();
    assert.equal(processes.inUse, 0, 'the slot went to the one still waiting and came back');
  });

  it('refuses with 503 and Retry-After past its patience, and leaves the queue', async () => {
    const processes = new Limiter(1, 'streams');
    const queue = new SlotQueue([processes], 1);
    const held = queue.take([processes]);
    await assert.rejects(queue.acquire([processes]), (err: unknown) => {
      assert.ok(err instanceof LimitReachedError);
      assert.equal(err.statusCode, 503);
      assert.ok(err.headers['Retry-After']);
      assert.match(err.message, /at most 1 streams/);
      return true;
    });
    assert.equal(queue.waiting, 0);
    held();
    assert.equal(processes.inUse, 0);
  });

  it('a waiter that needs a transcode slot too does not hold back one that needs a process slot', async () => {
    const processes = new Limiter(2);
    const transcodes = new Limiter(1, 'transcodes');
    const queue = new SlotQueue([processes, transcodes], 60_000);
    const transcode = queue.take([processes, transcodes]);
    const remux = queue.take([processes]);
    const log: string[] = [];
    const encode = served(log, 'encode', queue.acquire([processes, transcodes]));
    const copy = served(log, 'copy', queue.acquire([processes]));
    remux(); // a process slot, no transcode slot: only the second can start
    (await copy)();
    await nextTurn();
    assert.deepEqual(log, ['copy']);
    transcode();
    (await encode)();
    assert.deepEqual(log, ['copy', 'encode']);
  });

  it('asks holders of spare slots to give one up, and hands it to the first in line', async () => {
    const processes = new Limiter(1);
    const queue = new SlotQueue([processes], 60_000);
    let spare: (() => void) | null = queue.take([processes]);
    const asked: number[] = [];
    queue.addReclaimer((full) => {
      asked.push(full.length);
      if (!spare) return false;
      const giving = spare;
      spare = null;
      giving();
      return true;
    });
    const release = await queue.acquire([processes]);
    assert.deepEqual(asked, [1]);
    assert.equal(processes.inUse, 1);
    release();
  });

  it('hears of a slot of both kinds only once both are back: nothing is stopped for it meanwhile', async () => {
    const processes = new Limiter(1);
    const transcodes = new Limiter(1, 'transcodes');
    const queue = new SlotQueue([processes, transcodes], 60_000);
    const running = acquireAll(processes, transcodes);
    let asked = 0;
    queue.addReclaimer(() => {
      asked++;
      return false;
    });
    const waiting = queue.acquire([processes, transcodes]);
    assert.equal(asked, 1, 'asked once as the waiter came');
    running();
    (await waiting)();
    assert.equal(asked, 1, 'not asked again while the slots came back');
  });
});
