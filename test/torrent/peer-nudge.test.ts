/**
 * The nudge of sending peers while a read waits (src/torrent/peer-nudge.ts), on stand-in wires under mocked
 * timers: which peers are told we are interested again, and that it stops. The real wire's message, seen by
 * a scripted peer, is in first-requests.test.ts.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it, mock } from 'node:test';
import type { Torrent, Wire } from 'webtorrent';
import { NUDGE_MS, PeerNudge } from '../../src/torrent/peer-nudge.js';

/** A wire that counts the `interested` messages it sends (only on a change, as bittorrent-protocol's). */
function wire(shape: { choking?: boolean; requests?: number; type?: string }) {
  const stand = {
    type: shape.type ?? 'tcpOutgoing',
    peerChoking: shape.choking ?? false,
    requests: Array.from({ length: shape.requests ?? 1 }, (_, i) => ({ piece: i, offset: 0, length: 16384 })),
    amInterested: true,
    destroyed: false,
    sent: 0,
    interested() {
      if (this.amInterested) return;
      this.amInterested = true;
      this.sent++;
    },
  };
  return stand;
}

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

it('tells each sending peer with requests out, every period while a read waits, and stops after', () => {
  const sending = wire({});
  const others = [wire({ choking: true }), wire({ requests: 0 }), wire({ type: 'webSeed' })];
  const torrent = { destroyed: false, wires: [sending, ...others] } as unknown as Torrent;
  const nudge = new PeerNudge(torrent);
  nudge.waiting = true;
  mock.timers.tick(NUDGE_MS);
  mock.timers.tick(NUDGE_MS);
  assert.equal(sending.sent, 2);
  assert.ok(sending.amInterested, 'still interested');
  assert.deepEqual(
    others.map((w) => w.sent),
    [0, 0, 0],
    'not a choking peer, one asked for nothing, nor a web seed',
  );
  nudge.waiting = false;
  mock.timers.tick(5 * NUDGE_MS);
  assert.equal(sending.sent, 2, 'no read waits: no more');
});

it('stops by itself once the torrent is gone', () => {
  const sending = wire({});
  const torrent = { destroyed: false, wires: [sending as unknown as Wire] };
  const nudge = new PeerNudge(torrent as unknown as Torrent);
  nudge.waiting = true;
  torrent.destroyed = true;
  mock.timers.tick(NUDGE_MS);
  torrent.destroyed = false;
  mock.timers.tick(3 * NUDGE_MS);
  assert.equal(sending.sent, 0);
});
