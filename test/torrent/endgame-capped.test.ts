/**
 * The endgame on a swarm of capped aria2c seeders (src/torrent/endgame.ts): a peer answers requests in the
 * order asked, so a read that comes while every peer's pipeline is full of other pieces (a seek, while the
 * download runs from the start) must not queue behind them. The other requests are cancelled; the waited
 * piece is asked of several peers at once, ahead of anything else. Observed on the engine's wires
 * right after the read starts, never by time. Skipped, saying so, where aria2c is not installed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BlockRequest, Torrent, Wire } from 'webtorrent';
import { requestBlock } from '../../src/torrent/webtorrent-internals-hooks.js';
import { withCappedSwarm } from '../helpers/capped-swarm.js';
import { hasAria2c } from '../helpers/real-seeders.js';

const PIECE = 256 * 1024;
const PIECES = 24;
/** Slow enough that nothing past the first pieces arrives while the test looks. */
const CAP = 24 * 1024;
const HOSTS = ['127.0.0.31', '127.0.0.32', '127.0.0.33'];

const skip = hasAria2c() ? false : 'aria2c is not installed: the capped swarm needs it';

describe('a swarm of capped aria2c seeders', { skip }, () => {
  const capped = withCappedSwarm({
    prefix: 'streamtide-endgame-capped-',
    pieceLength: PIECE,
    pieces: PIECES,
    hosts: HOSTS,
    uploadLimit: CAP,
  });

  /** Resolves once every seeder's wire is unchoked and busy with `busy` requests or more. */
  async function allBusy(torrent: Torrent, busy: number): Promise<Wire[]> {
    for (;;) {
      const wires = torrent.wires.filter((w) => !w.peerChoking && w.requests.length >= busy);
      if (wires.length === HOSTS.length) return wires;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The farthest piece of the second half that none of `wires` is asked for. */
  function farPieceNobodyAsked(wires: Wire[]): number {
    const asked = new Set(wires.flatMap((wire) => wire.requests.map((r) => r.piece)));
    const piece = [...Array(PIECES).keys()].reverse().find((p) => p >= PIECES / 2 && !asked.has(p));
    assert.ok(piece !== undefined, `a far piece nobody was asked for: ${[...asked].join(' ')}`);
    return piece;
  }

  /** Each of `holders` is asked for `waited` ahead of what filled its pipeline before the read. */
  function assertAskedFirst(holders: Wire[], waited: number): void {
    for (const wire of holders) {
      const pieces = wire.requests.map((r) => r.piece);
      // Its first request may be on its way; past it, nothing that filled the pipeline before the read.
      assert.ok(
        pieces.indexOf(waited) <= 1,
        `${wire.remoteAddress} is asked for the waited piece ahead of the rest: ${pieces.join(' ')}`,
      );
    }
  }

  it('a read behind full pipelines is asked of several peers at once, ahead of the rest', {
    timeout: 120_000,
  }, async () => {
    const { torrent, read } = await capped.add('magnet');
    // The whole torrent downloads from its start: every pipeline fills with its first pieces.
    const wires = await allBusy(torrent, 3);
    // A far piece nobody is asked for (a peer may have offered one in its allowed-fast set).
    const WAITED = farPieceNobodyAsked(wires);
    const waiting = read(WAITED * PIECE, PIECE);
    await nextTurn();
    const holders = wires.filter((wire) => wire.requests.some((r) => r.piece === WAITED));
    assert.ok(holders.length >= 2, `the waited piece is asked of several peers: ${holders.length}`);
    assertAskedFirst(holders, WAITED);
    assert.ok((await waiting.bytes).equals(waiting.expected));
  });

  it('a read whose piece one peer already took a block of is still asked of the others, ahead of the rest', {
    timeout: 120_000,
  }, async () => {
    const { torrent, read } = await capped.add('magnet');
    const wires = await allBusy(torrent, 3);
    const WAITED = farPieceNobodyAsked(wires);
    // One peer with room (as one just unchoked has) takes a block of it before the read comes.
    const [first] = wires;
    const last = first!.requests.at(-1)!;
    first!.cancel(last.piece, last.offset, last.length);
    assert.ok(requestBlock(torrent, first!, WAITED), 'a block of the far piece asked of one peer');
    const waiting = read(WAITED * PIECE, PIECE);
    await nextTurn();
    const holders = wires.filter((wire) => wire.requests.some((r) => r.piece === WAITED));
    assert.ok(holders.length >= 2, `the rest of the piece is asked of other peers too: ${holders.length}`);
    assertAskedFirst(holders, WAITED);
    assert.ok((await waiting.bytes).equals(waiting.expected));
  });

  it('a peer that chokes us is asked for none of its allowed-fast pieces while a read waits', {
    timeout: 120_000,
  }, async () => {
    // The metadata from the .torrent: the read waits before any peer is dialled.
    const { torrent, read, dial } = await capped.add('torrent');
    const waiting = read((PIECES / 2) * PIECE, PIECE);
    // What each wire was offered (aria2c names allowed-fast pieces) and asked the moment it unchokes.
    const seen: Array<{ wire: Wire; offered: number[]; atUnchoke: BlockRequest[] }> = [];
    torrent.on('wire', (wire: Wire) => {
      wire.once('unchoke', () => {
        const offered = [...wire.peerAllowedFastSet];
        seen.push({ wire, offered, atUnchoke: [...wire.requests] });
      });
    });
    dial();
    assert.ok((await waiting.bytes).equals(waiting.expected));
    assert.ok(
      seen.some(({ offered }) => offered.length > 0),
      'some peer offered allowed-fast pieces while it choked us',
    );
    for (const { wire, atUnchoke } of seen) {
      const pieces = atUnchoke.map((r) => r.piece);
      assert.deepEqual(pieces, [], `${wire.remoteAddress}: asked while choked: ${pieces.join(' ')}`);
    }
  });
});
