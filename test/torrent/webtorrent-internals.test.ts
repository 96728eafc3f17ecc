/**
 * The contract with webtorrent's private members, against the installed webtorrent: exactly what streamtide
 * relies on. Run it before widening the supported range in webtorrent-internals.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Server as TrackerServer } from 'bittorrent-tracker';
import type WebTorrent from 'webtorrent';
import type { BlockRequest, Torrent, Wire } from 'webtorrent';
import TorrentClass from 'webtorrent/lib/torrent.js';
import { verifyPieces } from '../../src/torrent/piece-verify.js';
import { torrentShape } from '../../src/torrent/torrent-shape.js';
import {
  answerRequest,
  assertSupportedWebtorrent,
  checkWebtorrentVersion,
  closeTrackersQuietly,
  type Dial,
  deselectStream,
  interceptDials,
  selectStream,
} from '../../src/torrent/webtorrent-internals.js';
import {
  beforeWireUpdate,
  guardMetadata,
  limitRequests,
  neverHotswap,
  requestBlock,
  skipFullyAskedPieces,
  skipTorrentDebugMessages,
  unaskedBlocks,
} from '../../src/torrent/webtorrent-internals-hooks.js';
import { onPieceRejected } from '../../src/torrent/webtorrent-internals-verify.js';
import { addMemoryWebSeed, isolatedClient, type Seeder, stallAfter, startSeeder } from '../helpers/swarm.js';

const PIECE = 16 * 1024; // one block per piece: a request is a piece
const PIECES = 256;

let work: string;
let data: Buffer;
let seeder: Seeder;
const clients: WebTorrent[] = [];
const servers: Server[] = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-internals-'));
  const path = join(work, 'data.bin');
  data = randomBytes(PIECES * PIECE);
  writeFileSync(path, data);
  seeder = await startSeeder(path, { pieceLength: PIECE });
});

after(async () => {
  for (const client of clients) await new Promise<void>((resolve) => client.destroy(() => resolve()));
  for (const server of servers) server.close();
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

/**
 * A leecher of the seeder's torrent that reaches no one by itself; uTP as asked; `prepare` runs on the torrent
 * before its metadata is in.
 */
async function leecher(
  name: string,
  utp: boolean,
  of = seeder,
  prepare: (torrent: Torrent) => void = () => {},
): Promise<Torrent> {
  const client = isolatedClient({ utp });
  clients.push(client);
  await once(client, 'listening');
  const torrent = client.add(of.torrentFile, { path: join(work, name), announce: [] });
  prepare(torrent);
  if (!torrent.ready) await once(torrent, 'ready');
  return torrent;
}

/** The bytes of `block` in the seeded data. */
const blockOf = ({ piece, offset, length }: BlockRequest) =>
  data.subarray(piece * PIECE + offset, piece * PIECE + offset + length);

interface SelectionItem {
  from: number;
  to: number;
  priority: number;
  isStreamSelection: boolean;
}

function selections(torrent: Torrent): SelectionItem[] {
  const items = (torrent as unknown as { _selections: { _items: SelectionItem[] } })._selections._items;
  return items.map(({ from, to, priority, isStreamSelection }) => ({
    from,
    to,
    priority,
    isStreamSelection: !!isStreamSelection,
  }));
}

/** A loopback TCP listener that counts and drops the connections it gets. */
async function listener(): Promise<{ addr: string; connections: EventEmitter; count: () => number }> {
  const connections = new EventEmitter();
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
    connections.emit('connection');
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return { addr: `127.0.0.1:${address.port}`, connections, count: () => count };
}

describe('stream selections', () => {
  it('are kept apart from whole-file selections and removed exactly', async () => {
    const torrent = await leecher('selections', false);
    const whole = selections(torrent);
    assert.deepEqual(whole, [{ from: 0, to: PIECES - 1, priority: 0, isStreamSelection: false }]);
    selectStream(torrent, 100, 120, 2);
    selectStream(torrent, 110, 130, 3);
    const a = { from: 100, to: 120, priority: 2, isStreamSelection: true };
    const b = { from: 110, to: 130, priority: 3, isStreamSelection: true };
    assert.deepEqual(new Set(selections(torrent)), new Set([...whole, a, b]), 'overlapping, not merged');
    deselectStream(torrent, 100, 120);
    assert.deepEqual(new Set(selections(torrent)), new Set([...whole, b]), 'only the exact (from, to)');
    torrent.deselect(0, PIECES - 1);
    assert.deepEqual(selections(torrent), [b], 'a whole-file deselect leaves stream selections');
    deselectStream(torrent, 110, 130);
    assert.deepEqual(selections(torrent), []);
  });

  it('at a higher priority are requested before the rest', { timeout: 60_000 }, async () => {
    const torrent = await leecher('order', false);
    const span = [160, 175] as const; // sequential order would reach it after 160 pieces
    selectStream(torrent, span[0], span[1], 3);
    const requested: number[] = [];
    seeder.torrent.on('wire', (wire) => wire.on('request', (index: number) => requested.push(index)));
    torrent.addPeer(`127.0.0.1:${seeder.port}`);
    if (!torrent.done) await once(torrent, 'done');
    const spanLength = span[1] - span[0] + 1;
    // Plus one: webtorrent's first request on a new wire validates it, from the lowest selection's end.
    const first = requested.slice(0, spanLength + 1);
    for (let piece = span[0]; piece <= span[1]; piece++) {
      assert.ok(first.includes(piece), `piece ${piece} among the first requests: ${first}`);
    }
    assert.equal(new Set(requested).size, PIECES);
  });
});

describe('interceptDials', () => {
  it("sees every dial with webtorrent's transport, reconnects included, and its choice is used", {
    timeout: 30_000,
  }, async () => {
    const torrent = await leecher('dial', true);
    const peer = await listener();
    const seen: Dial[] = [];
    const reconnected = new Promise<void>((resolve) => {
      interceptDials(torrent, {
        decide: (dial) => {
          seen.push(dial);
          if (seen.length === 1) return 'tcp';
          resolve();
          return 'refuse'; // no uTP attempt left behind
        },
      });
    });
    const connected = once(peer.connections, 'connection');
    assert.equal(torrent.addPeer(peer.addr), true);
    await connected; // by TCP although webtorrent proposed uTP: the listener speaks TCP only
    await reconnected; // the listener dropped it: webtorrent's reconnect goes through _addPeer too
    assert.deepEqual(seen, [
      { addr: peer.addr, proposed: 'utp', utpEnabled: true, source: 'manual' },
      { addr: peer.addr, proposed: 'utp', utpEnabled: true, source: 'manual' },
    ]);
    assert.equal(peer.count(), 1);
  });

  it('a refused dial makes no connection', { timeout: 30_000 }, async () => {
    const torrent = await leecher('refuse', false);
    const refused = await listener();
    const allowed = await listener();
    const dialled: string[] = [];
    interceptDials(torrent, {
      decide: ({ addr }) => (addr === refused.addr ? 'refuse' : 'as-is'),
      dialled: (addr, transport) => dialled.push(`${addr} ${transport}`),
    });
    const invalid: unknown[] = [];
    torrent.on('invalidPeer', (peer) => invalid.push(peer));
    assert.equal(torrent.addPeer(refused.addr), false);
    const connected = once(allowed.connections, 'connection');
    assert.equal(torrent.addPeer(allowed.addr), true);
    // Dials start in order as they are added: the refused one would have arrived by now.
    await connected;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(refused.count(), 0);
    assert.deepEqual(invalid, [refused.addr]);
    assert.deepEqual(dialled, [`${allowed.addr} tcp`]);
  });

  it('composes filters through one patch: each sees the choice so far, any refusal wins', () => {
    const calls: string[] = [];
    const fake = {
      _addPeer: (peer: string, type: string) => {
        calls.push(`${peer} ${type}`);
        return {};
      },
    };
    const torrent = fake as unknown as Torrent;
    const seen: string[] = [];
    interceptDials(torrent, { decide: ({ addr }) => (addr.startsWith('10.') ? 'tcp' : 'as-is') });
    const patched = fake._addPeer;
    interceptDials(torrent, {
      decide: ({ addr, proposed }) => {
        seen.push(`${addr} ${proposed}`);
        return addr.startsWith('10.0.0.9') ? 'refuse' : 'as-is';
      },
    });
    assert.equal(fake._addPeer, patched, 'installed once');
    assert.ok(fake._addPeer('10.0.0.1:1', 'utp'));
    assert.ok(fake._addPeer('192.0.2.1:1', 'utp'));
    assert.equal(fake._addPeer('10.0.0.9:1', 'utp'), null);
    assert.deepEqual(seen, ['10.0.0.1:1 tcp', '192.0.2.1:1 utp', '10.0.0.9:1 tcp']);
    assert.deepEqual(calls, ['10.0.0.1:1 tcp', '192.0.2.1:1 utp']);
  });
});

/**
 * A leecher of `stalling` (`prepare` as for leecher) whose one peer answered one request and now holds at
 * least two more unanswered: its wire.
 */
async function stalledWire(stalling: Seeder, name: string, prepare?: (torrent: Torrent) => void) {
  const stall = stallAfter(stalling, 1);
  const torrent = await leecher(name, false, stalling, prepare);
  torrent.addPeer(`127.0.0.1:${stalling.port}`);
  await stall.until(({ stalled }) => stalled.length >= 2);
  const [wire] = torrent.wires as Wire[];
  assert.ok(wire);
  return { torrent, wire, stall };
}

describe('answerRequest', () => {
  it("hands webtorrent's request a block from elsewhere: the piece is verified, the peer told to cancel", {
    timeout: 30_000,
  }, async () => {
    const stalling = await startSeeder(join(work, 'data.bin'), { pieceLength: PIECE });
    try {
      const { torrent, wire, stall } = await stalledWire(stalling, 'answer');
      const pending = wire.requests.map(({ piece, offset, length }) => ({ piece, offset, length }));
      assert.ok(pending.length >= 2, `requests pending: ${JSON.stringify(pending)}`);
      const unasked = { piece: PIECES - 1, offset: 0, length: PIECE };
      assert.equal(
        answerRequest(wire, unasked, blockOf(unasked), wire),
        false,
        'nothing asked, nothing answered',
      );
      const first = pending[0]!;
      assert.equal(
        answerRequest(wire, first, blockOf(first).subarray(1), wire),
        false,
        'a chunk of the wrong length',
      );

      const verified = new Set<number>();
      torrent.on('verified', (index: number) => verified.add(index));
      const allVerified = new Promise<void>((resolve) => {
        torrent.on('verified', () => pending.every((b) => verified.has(b.piece)) && resolve());
      });
      for (const block of pending) assert.equal(answerRequest(wire, block, blockOf(block), wire), true);
      assert.ok(
        pending.every((b) => !wire.requests.some((r) => r.piece === b.piece && r.offset === b.offset)),
        'the answered requests are off the wire',
      );
      await allVerified;
      const keys = pending.map(({ piece, offset }) => `${piece}:${offset}`);
      await stall.until(({ cancelled }) => keys.every((key) => cancelled.includes(key)));
      assert.ok(torrent.wires.includes(wire), 'the wire stays');
    } finally {
      await stalling.close();
    }
  });

  it('credits a block it hands over to the peer that sent it: a corrupt one is blamed there, not here', {
    timeout: 30_000,
  }, async () => {
    const stalling = await startSeeder(join(work, 'data.bin'), { pieceLength: PIECE });
    try {
      const rejected: Array<{ index: number; sources: unknown[] }> = [];
      const { torrent, wire } = await stalledWire(stalling, 'credit', (added) => {
        verifyPieces(added);
        onPieceRejected(added, (index, blocks) =>
          rejected.push({ index, sources: blocks.map((b) => b.source) }),
        );
      });
      const [first, second] = wire.requests.map(({ piece, offset, length }) => ({ piece, offset, length }));
      assert.ok(first && second);
      const corrupt = Buffer.from(blockOf(first));
      corrupt[0]! ^= 0xff;
      // Stand-ins for the peers the copies came from: the blame goes by their address.
      const liar = { remoteAddress: '127.0.0.9' } as Wire;
      const failed = once(torrent, 'warning');
      assert.equal(answerRequest(wire, first, corrupt, liar), true);
      await failed;
      assert.deepEqual(rejected, [{ index: first.piece, sources: [liar] }]);
      const honest = { remoteAddress: '127.0.0.8' } as Wire;
      const verified = once(torrent, 'verified');
      assert.equal(answerRequest(wire, second, blockOf(second), honest), true);
      assert.deepEqual(await verified, [second.piece]);
      assert.equal(rejected.length, 1, 'the good block passed');
    } finally {
      await stalling.close();
    }
  });
});

describe('closeTrackersQuietly', () => {
  it("closes a torrent's tracker client without the 'stopped' announce its destroy sends", {
    timeout: 30_000,
  }, async () => {
    const tracker = new TrackerServer({ udp: false, http: true, ws: false, stats: false });
    tracker.on('warning', () => {});
    tracker.listen(0, '127.0.0.1');
    await once(tracker, 'listening');
    const address = tracker.http!.address();
    assert.ok(address && typeof address === 'object');
    const url = `http://127.0.0.1:${address.port}/announce`;
    const events: string[] = [];
    tracker.http!.on('request', (request) => {
      events.push(new URL(request.url ?? '/', url).searchParams.get('event') ?? 'none');
    });
    const client = isolatedClient({ tracker: true });
    clients.push(client);
    await once(client, 'listening');
    try {
      const stopped = async (quietly: boolean): Promise<number> => {
        events.length = 0;
        const torrent = client.add(seeder.magnet, { path: join(work, `quiet-${quietly}`), announce: [url] });
        while (!events.includes('started')) await new Promise((resolve) => setTimeout(resolve, 20));
        if (quietly) closeTrackersQuietly(torrent);
        await new Promise<void>((resolve) => torrent.destroy(null, () => resolve()));
        // Answered after whatever the destroy sent (one server, on loopback).
        await (await fetch(`${url}?event=sentinel`)).arrayBuffer();
        return events.filter((event) => event === 'stopped').length;
      };
      assert.equal(await stopped(false), 1, "webtorrent's own destroy announces 'stopped'");
      assert.equal(await stopped(true), 0);
    } finally {
      await new Promise<void>((resolve) => tracker.close(() => resolve()));
    }
  });
});

describe('webSeedConnection', () => {
  it('downloads a torrent through a web seed whose requests are made by the given function', {
    timeout: 30_000,
  }, async () => {
    const client = isolatedClient({ utp: false });
    clients.push(client);
    await once(client, 'listening');
    // No peer is ever given: every byte comes through the web seed.
    const torrent = client.add(seeder.torrentFile, { path: join(work, 'web-seed'), announce: [] });
    if (!torrent.metadata) await once(torrent, 'metadata');
    const asked = new Set<number>();
    addMemoryWebSeed(torrent, data, (piece) => asked.add(piece));
    if (!torrent.done) await once(torrent, 'done');
    assert.equal(asked.size, PIECES);
    assert.equal(torrent.wires.filter((wire) => wire.type === 'webSeed').length, 1);
  });
});

describe('guardMetadata', () => {
  /** A leecher of the seeder's magnet whose metadata goes through `check`. */
  async function guarded(name: string, check: (metadata: Uint8Array) => Error | null): Promise<Torrent> {
    const client = isolatedClient({ utp: false });
    clients.push(client);
    await once(client, 'listening');
    const torrent = client.add(seeder.magnet, { path: join(work, name), announce: [] });
    guardMetadata(torrent, check);
    return torrent;
  }

  it("sees a magnet's metadata before webtorrent takes it; an error stops the torrent with it", {
    timeout: 30_000,
  }, async () => {
    const seen: Uint8Array[] = [];
    const torrent = await guarded('refused', (metadata) => {
      seen.push(metadata);
      return new Error('refused by the guard');
    });
    let metadata = false;
    torrent.on('metadata', () => {
      metadata = true;
    });
    const [err] = (await once(torrent, 'error')) as [Error];
    assert.equal(err.message, 'refused by the guard');
    assert.equal(torrent.destroyed, true);
    assert.equal(metadata, false, 'webtorrent never took the metadata');
    assert.equal(seen.length, 1);
    assert.equal(torrentShape(seen[0]!).pieces, PIECES, 'the guard saw the bencoded torrent');
  });

  it('lets metadata it accepts through', { timeout: 30_000 }, async () => {
    const torrent = await guarded('accepted', () => null);
    if (!torrent.ready) await once(torrent, 'ready');
    assert.equal(torrent.length, PIECES * PIECE);
  });
});

describe('beforeWireUpdate and requestBlock', () => {
  it('a hook runs before webtorrent tops up a wire; the block it asks for is fetched and verified', {
    timeout: 60_000,
  }, async () => {
    const torrent = await leecher('hook', false);
    const piece = 200; // sequential order, or validation from the end, would start elsewhere
    const hooked: boolean[] = [];
    let asked: Wire | undefined;
    beforeWireUpdate(torrent, (wire) => {
      hooked.push(wire.peerChoking);
      if (!wire.peerChoking && wire.requests.length === 0 && !torrent.bitfield?.get(piece)) {
        asked = wire;
        assert.equal(requestBlock(torrent, wire, piece), true);
        assert.equal(requestBlock(torrent, wire, piece), false, 'a one-block piece is all requested');
      }
    });
    const requested: number[] = [];
    seeder.torrent.on('wire', (wire) => wire.on('request', (index: number) => requested.push(index)));
    const verified: number[] = [];
    torrent.on('verified', (index: number) => verified.push(index));
    torrent.addPeer(`127.0.0.1:${seeder.port}`);
    if (!torrent.done) await once(torrent, 'done');
    assert.ok(hooked.includes(false), 'ran on an unchoked wire');
    assert.equal(requested[0], piece, 'before webtorrent asked for anything itself');
    assert.equal(verified[0], piece);
    assert.equal(requestBlock(torrent, asked!, piece), false, 'a verified piece is not asked again');
  });
});

describe('limitRequests and unaskedBlocks', () => {
  /** A wire that records what it is asked, with room in its pipeline. */
  function recordingWire(): { wire: Wire; asked: number[] } {
    const asked: number[] = [];
    const wire = {
      type: 'tcpOutgoing',
      requests: [],
      downloadSpeed: () => 0,
      request: (piece: number) => asked.push(piece),
    } as unknown as Wire;
    return { wire, asked };
  }

  interface PieceLike {
    reserve(): number;
    set(block: number, data: Uint8Array, source: unknown): boolean;
    cancel(block: number): void;
  }

  it('a piece refused is not asked; blocks nobody was asked for are counted', async () => {
    const torrent = await leecher('limit', false);
    const { wire, asked } = recordingWire();
    limitRequests(torrent, (_wire, piece) => piece !== 7);
    const internals = torrent as unknown as { _request(w: Wire, p: number, h: boolean): boolean };
    assert.equal(unaskedBlocks(torrent, 7), 1, 'a one-block piece nobody was asked for');
    assert.equal(internals._request(wire, 7, false), false);
    assert.deepEqual(asked, [], 'refused');
    assert.equal(internals._request(wire, 8, false), true);
    assert.deepEqual(asked, [8]);
    assert.equal(unaskedBlocks(torrent, 8), 0, 'its one block is asked');
  });

  it('a block given back to its piece after it came in is not asked again', async () => {
    const torrent = await leecher('held', false);
    const { wire, asked } = recordingWire();
    limitRequests(torrent, () => true);
    const pieces = (torrent as unknown as { pieces: PieceLike[] }).pieces;
    const piece = pieces[9]!;
    // What webtorrent's hotswap leaves: a block reserved, then given back, and then the block arrives.
    assert.equal(piece.reserve(), 0);
    piece.cancel(0);
    piece.set(0, new Uint8Array(PIECE), wire);
    assert.equal(unaskedBlocks(torrent, 9), 0, 'the block is in');
    const internals = torrent as unknown as { _request(w: Wire, p: number, h: boolean): boolean };
    assert.equal(internals._request(wire, 9, false), false);
    assert.deepEqual(asked, []);
  });
});

describe('skipFullyAskedPieces', () => {
  it('answers false for a piece with nothing left to ask without going further; asks as before otherwise', async () => {
    const torrent = await leecher('skip', false);
    let hooked = 0;
    limitRequests(torrent, () => {
      hooked++;
      return true;
    });
    skipFullyAskedPieces(torrent);
    let rated = 0;
    const asked: number[] = [];
    const wire = {
      type: 'tcpOutgoing',
      requests: [],
      downloadSpeed: () => {
        rated++;
        return 0;
      },
      request: (piece: number) => asked.push(piece),
    } as unknown as Wire;
    const internals = torrent as unknown as { _request(w: Wire, p: number, h: boolean): boolean };
    assert.equal(internals._request(wire, 5, false), true, 'a piece not asked yet is asked');
    assert.deepEqual(asked, [5]);
    [hooked, rated] = [0, 0];
    assert.equal(internals._request(wire, 5, false), false, 'its one block is asked');
    assert.deepEqual([hooked, rated], [0, 0], 'answered at once: no hook, no pipeline sizing');
    const pieces = (torrent as unknown as { pieces: Array<{ cancel(block: number): void }> }).pieces;
    pieces[5]!.cancel(0);
    assert.equal(internals._request(wire, 5, false), true, 'a block given back is asked again');
    assert.deepEqual(asked, [5, 5]);
  });

  it('a torrent with it (and without debug messages) downloads every piece right', {
    timeout: 60_000,
  }, async () => {
    const torrent = await leecher('skip-all', false);
    skipFullyAskedPieces(torrent);
    const debug = (torrent as unknown as { _debug: unknown })._debug;
    skipTorrentDebugMessages(torrent);
    const skipped = (torrent as unknown as { _debug: unknown })._debug !== debug;
    assert.equal(skipped, !process.env.DEBUG, 'skipped only while DEBUG is unset');
    torrent.addPeer(`127.0.0.1:${seeder.port}`);
    if (!torrent.done) await once(torrent, 'done');
    assert.ok(readFileSync(join(work, 'skip-all', torrent.files[0]!.path)).equals(data));
  });
});

describe('neverHotswap', () => {
  /** A wire at `speed` bytes/s with room in its pipeline, holding what it is asked. */
  function wireAt(speed: number): Wire {
    const requests: BlockRequest[] = [];
    return {
      type: 'tcpOutgoing',
      requests,
      downloadSpeed: () => speed,
      request: (piece: number, offset: number, length: number) => requests.push({ piece, offset, length }),
    } as unknown as Wire;
  }

  it("keeps a slow peer's block with it, where webtorrent's hotswap hands it to a faster one", async () => {
    for (const off of [false, true]) {
      const torrent = await leecher(`hotswap-${off}`, false);
      if (off) neverHotswap(torrent);
      const swapped: number[] = [];
      torrent.on('hotswap', (_slow: Wire, _fast: Wire, piece: number) => swapped.push(piece));
      const [slow, fast] = [wireAt(0), wireAt(8 * PIECE)];
      const internals = torrent as unknown as { _request(w: Wire, p: number, h: boolean): boolean };
      assert.equal(internals._request(slow, 3, false), true, 'the slow peer is asked the one block');
      // webtorrent passes true for a critical piece, and for any once its other pieces are all asked.
      assert.equal(internals._request(fast, 3, true), !off, off ? 'not handed over' : 'handed over');
      assert.deepEqual(swapped, off ? [] : [3]);
      assert.equal(fast.requests.length, off ? 0 : 1);
    }
  });
});

describe('the version guard', () => {
  it('accepts the installed webtorrent', () => {
    assert.doesNotThrow(() => assertSupportedWebtorrent());
    assert.doesNotThrow(() => checkWebtorrentVersion('3.0.21', TorrentClass.prototype));
  });

  it('throws on a version outside the verified range, naming it', () => {
    for (const version of ['4.0.0', '3.0.20', '2.8.5', 'next']) {
      assert.throws(
        () => checkWebtorrentVersion(version, TorrentClass.prototype),
        new RegExp(`webtorrent ${version} is not supported`),
      );
    }
  });

  it('throws on a Torrent without the members used, naming them', () => {
    const withoutSelect = { _deselect() {}, _addPeer: 1 };
    assert.throws(
      () => checkWebtorrentVersion('3.1.0', withoutSelect),
      /webtorrent 3\.1\.0 lacks the private members streamtide uses: _select, _addPeer, _onMetadata, _destroy, _updateWire, _request/,
    );
  });
});
