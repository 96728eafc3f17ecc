import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Wire } from 'webtorrent';
import { RequestOrder } from '../../src/torrent/request-order.js';

const BLOCK = 16 * 1024;

/** What RequestOrder sees of a peer connection: its requests in the order asked, and cancels taking them out. */
function peer(blocks: number[]) {
  const wire = {
    requests: blocks.map((offset) => ({ piece: 1, offset: offset * BLOCK, length: BLOCK })),
    cancel(piece: number, offset: number) {
      wire.requests = wire.requests.filter((r) => r.piece !== piece || r.offset !== offset);
    },
    ask(piece: number, block: number) {
      wire.requests.push({ piece, offset: block * BLOCK, length: BLOCK });
    },
  };
  return { wire, as: wire as unknown as Wire };
}

const none = () => false;

describe('RequestOrder', () => {
  it('cancels all but the first request, and counts what was cancelled as maybe coming until the peer is heard', () => {
    const order = new RequestOrder();
    const { wire, as } = peer([0, 1, 2, 3]);
    order.clear(as, none);
    assert.deepEqual(
      wire.requests.map((r) => r.offset / BLOCK),
      [0],
    );
    assert.equal(order.maybeComing(as), 3 * BLOCK, 'not heard yet: the three cancelled may still come first');
    assert.ok(order.heeds(as));
  });

  it('finds deaf a peer that sends what it was told to cancel; the new request stands behind the rest', () => {
    const order = new RequestOrder();
    const { wire, as } = peer([0, 1, 2, 3]);
    order.clear(as, none);
    wire.ask(7, 0);
    assert.equal(order.arrivedCancelled(as, 1, 0), false, 'the first was never cancelled');
    assert.equal(order.arrivedCancelled(as, 1, BLOCK), true);
    assert.ok(order.heeds(as), 'one cancelled block may have been on its way');
    assert.equal(order.arrivedCancelled(as, 1, 2 * BLOCK), true);
    assert.equal(order.heeds(as), false, 'two came, none was skipped');
    assert.equal(order.maybeComing(as), BLOCK, 'the last cancelled one is still to come');
  });

  it('finds a peer heeding once it sends a block asked after the cancel before the cancelled ones', () => {
    const order = new RequestOrder();
    const { wire, as } = peer([0, 1, 2, 3]);
    order.clear(as, none);
    wire.ask(7, 0);
    order.arrivedCancelled(as, 1, 0); // the first, kept: asked before, proves nothing
    assert.equal(order.maybeComing(as), 3 * BLOCK);
    order.arrivedCancelled(as, 1, BLOCK); // on its way when cancelled
    order.arrivedCancelled(as, 7, 0); // asked after: the other two were dropped
    assert.ok(order.heeds(as));
    assert.equal(
      order.maybeComing(as),
      0,
      'seen skipping more than it sent: nothing cancelled is waited for',
    );
  });

  it('forgets what a peer was told to cancel when it chokes (it drops every request)', () => {
    const order = new RequestOrder();
    const { as } = peer([0, 1, 2]);
    order.clear(as, none);
    order.choked(as);
    assert.equal(order.maybeComing(as), 0);
  });

  it('keeps the requests of the pieces it is told to keep', () => {
    const order = new RequestOrder();
    const { wire, as } = peer([0, 1]);
    wire.ask(5, 0);
    order.clear(as, (piece) => piece === 5);
    assert.deepEqual(
      wire.requests.map((r) => `${r.piece}:${r.offset / BLOCK}`),
      ['1:0', '5:0'],
    );
  });
});
