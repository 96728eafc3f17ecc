/**
 * The first piece a stream waits on, spread over a swarm of capped aria2c seeders (src/torrent/block-spread.ts):
 * a piece is served only once every block is in, so its blocks are asked of every peer that can send, each
 * block of one peer, not all of them of the first that unchoked. Observed on the engine's wires (which peer was
 * asked and which sent each block), never by time. Skipped, saying so, where aria2c is not installed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Wire } from 'webtorrent';
import { dueTimes, HOLD_S, waterLevel } from '../../src/torrent/block-spread.js';
import { withCappedSwarm } from '../helpers/capped-swarm.js';
import { hasAria2c } from '../helpers/real-seeders.js';

const PIECE = 256 * 1024;
const BLOCK = 16 * 1024;
const BLOCKS = PIECE / BLOCK;
const PIECES = 16;
/** Slow enough that every peer has unchoked long before the first piece is in. */
const CAP = 24 * 1024;
const HOSTS = ['127.0.0.51', '127.0.0.52', '127.0.0.53'];

const skip = hasAria2c() ? false : 'aria2c is not installed: the capped swarm needs it';

/** Each block of piece 0: the wires asked for it now, and whether it came. */
class FirstPieceBooks {
  readonly asked = new Map<number, Set<Wire>>();
  readonly sender = new Map<number, Wire>();
  /** Blocks asked of a second peer while some other block was asked of nobody. */
  readonly early: string[] = [];

  watch(wire: Wire): void {
    const request = wire.request.bind(wire);
    wire.request = (piece, offset, length, cb) => {
      if (piece === 0 && !this.sender.has(offset)) {
        const holders = this.asked.get(offset) ?? new Set<Wire>();
        const idle = [...Array(BLOCKS).keys()].filter(
          (b) => !this.sender.has(b * BLOCK) && !this.asked.get(b * BLOCK)?.size,
        );
        if (holders.size > 0 && idle.length > 0) {
          this.early.push(`${offset / BLOCK} with ${idle.map(String).join(',')} asked of nobody`);
        }
        holders.add(wire);
        this.asked.set(offset, holders);
      }
      return request(piece, offset, length, cb);
    };
    const cancel = wire.cancel.bind(wire);
    wire.cancel = (piece, offset, length) => {
      if (piece === 0) this.asked.get(offset)?.delete(wire);
      return cancel(piece, offset, length);
    };
    wire.on('piece', (piece: number, offset: number) => {
      if (piece !== 0) return;
      if (!this.sender.has(offset)) this.sender.set(offset, wire);
      this.asked.delete(offset);
    });
    // A peer that chokes us drops what it was asked.
    wire.on('choke', () => {
      for (const holders of this.asked.values()) holders.delete(wire);
    });
  }
}

describe('the first piece on a swarm of capped aria2c seeders', { skip }, () => {
  const capped = withCappedSwarm({
    prefix: 'streamtide-block-spread-',
    pieceLength: PIECE,
    pieces: PIECES,
    hosts: HOSTS,
    uploadLimit: CAP,
  });

  it('comes from every peer, each block asked of one until every block is asked', {
    timeout: 120_000,
  }, async () => {
    // The metadata from the .torrent: the read waits before any peer is dialled, as a stream's start does.
    const { torrent, read, dial } = await capped.add('torrent');
    const first = read(0, BLOCK);
    const books = new FirstPieceBooks();
    torrent.on('wire', (wire: Wire) => books.watch(wire));
    dial();
    assert.ok((await first.bytes).equals(first.expected));
    const senders = new Set([...books.sender.values()].map((wire) => wire.remoteAddress));
    assert.equal(senders.size, HOSTS.length, `the first piece came from ${[...senders].join(', ')}`);
    assert.deepEqual(books.early, [], 'no block is asked twice while another is asked of nobody');
  });
});

describe('waterLevel', () => {
  it('is when the peers, each after its queue, have sent the bytes between them', () => {
    const idle = { rate: 100, queued: 0 };
    assert.equal(waterLevel([idle], 300), 3);
    assert.equal(waterLevel([idle, { rate: 50, queued: 0 }], 300), 2);
    // The second is busy for 1 s: it sends 100 of the 300 in the 2 s the piece then takes.
    assert.equal(waterLevel([idle, { rate: 100, queued: 100 }], 300), 2);
  });

  it('leaves out a peer whose queue ends after the piece would, and one with no rate', () => {
    const busy = { rate: 100, queued: 1000 };
    assert.equal(waterLevel([{ rate: 100, queued: 0 }, busy, { rate: 0, queued: 0 }], 200), 2);
  });
});

describe('dueTimes (what a peer keeps when another unchokes)', () => {
  const block = () => ({ piece: 0, offset: 0, length: 16 * 1024 });
  const requests = [block(), block(), block(), block()];

  it("is when each request would come at the peer's rate, the first being on its way", () => {
    const due = dueTimes({ requests, downloadSpeed: () => 16 * 1024 });
    assert.deepEqual(requests.map(due), [0, 2, 3, 4]);
    // Past HOLD_S, the last two would be given back; the second stays.
    assert.deepEqual(
      requests.map((r) => due(r) > HOLD_S),
      [false, false, true, true],
    );
  });

  it('keeps only the first of a peer with no rate known, and knows nothing of a request not asked of it', () => {
    const due = dueTimes({ requests, downloadSpeed: () => 0 });
    assert.deepEqual(requests.map(due), [0, Infinity, Infinity, Infinity]);
    assert.equal(dueTimes({ requests, downloadSpeed: () => 1e9 })(block()), Infinity);
  });
});
