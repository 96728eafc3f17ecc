/**
 * The ban logic on its own, with a stand-in torrent and stand-in reports of failed pieces (the blocks a failed
 * piece was made of, each with its sender): a piece assembled from an honest and a lying peer fails;
 * once a good copy is verified, only the peer whose block differs is banned, and its dials and wires are
 * refused from then on.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { Torrent } from 'webtorrent';
import {
  BanList,
  guardAgainstBadPeers,
  MAX_SOLE_FAILURES,
  type Rejections,
} from '../../src/torrent/peer-bans.js';
import type { RejectedBlock, RejectedListener } from '../../src/torrent/webtorrent-internals-verify.js';

class FakeWire extends EventEmitter {
  destroyed = false;
  constructor(readonly remoteAddress: string) {
    super();
  }
  destroy() {
    this.destroyed = true;
  }
}

function fakeTorrent(pieces: Buffer[]) {
  const dialled: string[] = [];
  const torrent = Object.assign(new EventEmitter(), {
    wires: [] as FakeWire[],
    store: {
      get: (index: number, _opts: unknown, cb: (err: Error | null, buf?: Buffer) => void) =>
        queueMicrotask(() => cb(null, pieces[index])),
    },
    _addPeer: (peer: string) => {
      dialled.push(peer);
      return {};
    },
  });
  const connect = (host: string) => {
    const wire = new FakeWire(host);
    torrent.wires.push(wire);
    torrent.emit('wire', wire);
    return wire;
  };
  let rejected: RejectedListener = () => {};
  const rejections: Rejections = (_torrent, listener) => {
    rejected = listener;
  };
  /** Piece `index` failed; it was made of `blocks`. Their bytes are overwritten after the call, as in use. */
  const fail = (index: number, blocks: Array<[wire: FakeWire, offset: number, data: Buffer]>) => {
    const report: RejectedBlock[] = blocks.map(([source, offset, data]) => ({ offset, data, source }));
    rejected(index, report);
    for (const { data } of report) data.fill(0xee);
  };
  return { torrent, asTorrent: torrent as unknown as Torrent, rejections, dialled, connect, fail };
}

describe('guardAgainstBadPeers', () => {
  it('bans only the sender of the wrong block of a shared piece, once a good copy is verified', async () => {
    const good = Buffer.alloc(32, 7);
    const fake = fakeTorrent([good]);
    const bans = new BanList();
    guardAgainstBadPeers(fake.asTorrent, bans, fake.rejections);
    const honest = fake.connect('10.0.0.1');
    const liar = fake.connect('10.0.0.2');
    fake.fail(0, [
      [honest, 0, Buffer.from(good.subarray(0, 16))],
      [liar, 16, Buffer.alloc(16, 9)],
    ]);
    assert.deepEqual(bans.list(), [], 'two senders: nobody is blamed before a good copy');
    const banned = new Promise((resolve) => bans.once('ban', resolve));
    fake.torrent.emit('verified', 0);
    assert.deepEqual(await banned, {
      host: '10.0.0.2',
      reason: 'sent data for piece 0 that failed the hash',
    });
    assert.equal(liar.destroyed, true);
    assert.equal(honest.destroyed, false);
    const internals = fake.torrent as unknown as { _addPeer(peer: string, type: string): unknown };
    assert.equal(internals._addPeer('10.0.0.2:6881', 'tcp'), null);
    assert.ok(internals._addPeer('10.0.0.1:6881', 'tcp'));
    assert.deepEqual(fake.dialled, ['10.0.0.1:6881']);
    assert.equal(fake.connect('10.0.0.2').destroyed, true, 'a new connection from it is dropped');
  });

  it(`bans the only source of ${MAX_SOLE_FAILURES} failed pieces without waiting for good copies`, () => {
    const fake = fakeTorrent([]);
    const bans = new BanList();
    guardAgainstBadPeers(fake.asTorrent, bans, fake.rejections);
    const liar = fake.connect('10.0.0.3');
    for (let piece = 0; piece < MAX_SOLE_FAILURES; piece++) {
      assert.deepEqual(bans.list(), []);
      fake.fail(piece, [[liar, 0, Buffer.alloc(16)]]);
    }
    assert.deepEqual(
      bans.list().map((ban) => ban.host),
      ['10.0.0.3'],
    );
    assert.equal(liar.destroyed, true);
  });

  it('shares bans between torrents and forgets a closed torrent', () => {
    const bans = new BanList();
    const a = fakeTorrent([]);
    const b = fakeTorrent([]);
    guardAgainstBadPeers(a.asTorrent, bans, a.rejections);
    guardAgainstBadPeers(b.asTorrent, bans, b.rejections);
    const onB = b.connect('10.0.0.4');
    b.torrent.emit('close');
    const onA = a.connect('10.0.0.4');
    bans.ban('10.0.0.4', 'test');
    assert.equal(onA.destroyed, true);
    assert.equal(onB.destroyed, false, 'a closed torrent no longer listens');
  });

  it('guards any number of torrents without a listener each (no MaxListenersExceededWarning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const bans = new BanList();
      const torrents = Array.from({ length: 25 }, () => fakeTorrent([]));
      for (const fake of torrents) guardAgainstBadPeers(fake.asTorrent, bans, fake.rejections);
      const wires = torrents.map((fake) => fake.connect('10.0.0.5'));
      bans.ban('10.0.0.5', 'test');
      assert.ok(
        wires.every((wire) => wire.destroyed),
        'the banned host is dropped from every torrent',
      );
      // Warnings are emitted on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(
        warnings.map((warning) => warning.name),
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });
});
