/**
 * A peer connection's first seconds (src/torrent/wire-start.ts), against webtorrent peers the test
 * steers: the engine says `interested` before it has the metadata, and once a seeder unchokes it the first
 * requests are blocks of the piece a read waits on, not webtorrent's one validation block at the torrent's
 * end.
 * Observed on the engine's own wire right after each event, never by time.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type WebTorrent from 'webtorrent';
import type { Wire } from 'webtorrent';
import type { TorrentEngine } from '../../src/torrent/index.js';
import {
  FIRST_SECOND_RATE,
  firstSecondRate,
  likelyRate,
  rateFromUnchoke,
} from '../../src/torrent/wire-start.js';
import { bencode } from '../helpers/bencode.js';
import { eventually } from '../helpers/eventually.js';
import { ScriptedPeer } from '../helpers/scripted-peer.js';
import { isolatedClient, type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

const PIECE = 256 * 1024;
const INTERESTED = 2;
const SIZE = 16 * PIECE;

let work: string;
let data: Buffer;
let seeder: Seeder;
let engine: TorrentEngine;
const clients: WebTorrent[] = [];
const seeders: Seeder[] = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-wire-start-'));
  data = randomBytes(SIZE);
  const path = join(work, 'data.bin');
  writeFileSync(path, data);
  seeder = await startSeeder(path, { pieceLength: PIECE });
  engine = await startTestEngine(join(work, 'dl'), { utp: false, tracker: false });
});

after(async () => {
  await engine?.destroy();
  for (const client of clients) await new Promise<void>((resolve) => client.destroy(() => resolve()));
  for (const other of seeders) await other.close();
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

it('says interested as soon as the peer has read its handshake, before any metadata', {
  timeout: 30_000,
}, async () => {
  // A peer that has only the magnet too: no metadata will ever come from it.
  const infoHash = randomBytes(20).toString('hex');
  const peer = isolatedClient({ utp: false });
  clients.push(peer);
  await once(peer, 'listening');
  peer.add(`magnet:?xt=urn:btih:${infoHash}`, { path: join(work, 'peer') });
  const { entry } = await engine.add(`magnet:?xt=urn:btih:${infoHash}&x.pe=127.0.0.1:${peer.torrentPort}`);
  const torrent = engine.torrent(entry.infoHash)!;
  const [wire] = (torrent.wires.length > 0 ? [torrent.wires[0]] : await once(torrent, 'wire')) as [Wire];
  // Once the peer's extended handshake (sent when it has read ours) is in.
  assert.ok(await eventually(() => wire.amInterested), 'interested');
  assert.equal(torrent.metadata, null);
  await engine.remove(entry.infoHash);
});

it('does not say interested in the same breath as its handshake, where a webtorrent peer would miss it', {
  timeout: 30_000,
}, async () => {
  // A webtorrent peer unchokes on the first `interested` through a listener it adds a microtask after
  // reading the handshake. This peer dials the engine, as one that found it through a tracker would, and
  // sends its extended handshake (what a peer sends once it has read ours) only after a while, unless the
  // engine says interested first.
  const infoHash = randomBytes(20);
  const { entry } = await engine.add(`magnet:?xt=urn:btih:${infoHash.toString('hex')}`);
  const socket = connect(engine.port, '127.0.0.1');
  await once(socket, 'connect');
  const peer = new ScriptedPeer(socket, infoHash, '-WW0208-abcdefghijkl');
  const seen: string[] = [];
  try {
    const interested = (async () => {
      for (;;) {
        if ((await peer.next()).id === INTERESTED) return void seen.push('interested');
      }
    })();
    await Promise.race([interested, sleep(500)]);
    seen.push('its extended handshake');
    peer.sendExtended(0, bencode({ m: { ut_metadata: 3 } }));
    await interested;
    assert.deepEqual(seen, ['its extended handshake', 'interested']);
  } finally {
    socket.destroy();
    await engine.remove(entry.infoHash);
  }
});

it('once unchoked, asks first for the piece a read waits on, several blocks at once', {
  timeout: 30_000,
}, async () => {
  // The seeder unchokes only when told: the read is waiting by then.
  let release: (() => void) | undefined;
  const interested = new Promise<void>((resolve) => {
    seeder.torrent.on('wire', (wire: Wire & { unchoke(): void }) => {
      const unchoke = wire.unchoke.bind(wire);
      wire.unchoke = () => {
        release = unchoke;
        resolve();
      };
    });
  });
  const { entry } = await engine.add(seeder.torrentFile);
  await engine.waitForMetadata(entry.infoHash);
  const torrent = engine.torrent(entry.infoHash)!;
  const source = engine.open(entry.infoHash, 0)!;
  const piece = 5;
  const read = source.read(piece * PIECE + 1000, 1000, { signal: new AbortController().signal });
  engine.addPeer(entry.infoHash, `127.0.0.1:${seeder.port}`);
  await interested;
  const wire = torrent.wires[0]!;
  assert.equal(wire.requests.length, 0, 'nothing asked while choked');
  const unchoked = once(wire, 'unchoke');
  release!();
  await unchoked;
  await nextTurn();
  const asked = wire.requests.map((request) => request.piece);
  assert.deepEqual(new Set(asked), new Set([piece]), 'only blocks of the waited piece');
  assert.ok(asked.length >= 8, `more than webtorrent's 2 blocks at first: ${asked.length}`);
  assert.deepEqual(await read, data.subarray(piece * PIECE + 1000, piece * PIECE + 2000));
  source.close();
});

it('a read coming while a new wire’s validation block is out is asked for at once', {
  timeout: 30_000,
}, async () => {
  // webtorrent validates a new wire with one block of the torrent's last piece, and asks nothing more of
  // it until that block is in: this seeder (of its own torrent) holds that block back.
  const own = randomBytes(SIZE);
  const path = join(work, 'own.bin');
  writeFileSync(path, own);
  const seeder = await startSeeder(path, { pieceLength: PIECE });
  seeders.push(seeder);
  const last = SIZE / PIECE - 1;
  const store = seeder.torrent.store!;
  const get = store.get.bind(store) as (...args: unknown[]) => void;
  const held: Array<() => void> = [];
  store.get = ((index: number, opts: unknown, cb: unknown) => {
    if (index === last) held.push(() => get(index, opts, cb));
    else get(index, opts, cb);
  }) as typeof store.get;
  const { entry } = await engine.add(seeder.torrentFile);
  await engine.waitForMetadata(entry.infoHash);
  const torrent = engine.torrent(entry.infoHash)!;
  const validated = new Promise<Wire>((resolve) => {
    const watch = (wire: Wire) => wire.on('unchoke', () => setImmediate(() => resolve(wire)));
    torrent.on('wire', watch);
  });
  engine.addPeer(entry.infoHash, `127.0.0.1:${seeder.port}`);
  const wire = await validated;
  assert.deepEqual(
    wire.requests.map((request) => request.piece),
    [last],
    'unchoked before any read: webtorrent validates it',
  );
  const source = engine.open(entry.infoHash, 0)!;
  const piece = 9;
  const read = source.read(piece * PIECE, 1000, { signal: new AbortController().signal });
  await nextTurn();
  assert.ok(
    wire.requests.some((request) => request.piece === piece),
    `the read's piece asked for while the validation block is still out: ${wire.requests.map((r) => r.piece)}`,
  );
  for (const release of held.splice(0)) release();
  assert.deepEqual(await read, own.subarray(piece * PIECE, piece * PIECE + 1000));
  source.close();
});

it('sizes a wire’s pipeline from its last second since the unchoke, not its choked seconds', () => {
  let clock = 0;
  const windowRate = 1000; // bittorrent-protocol's 5 s average, dragged down by the choked seconds
  const wire = Object.assign(new EventEmitter(), { downloadSpeed: (_delta?: number) => windowRate });
  rateFromUnchoke(
    wire,
    () => PIECE,
    () => clock,
  );
  clock = 10_000; // choked for 10 s
  wire.emit('unchoke');
  assert.equal(wire.downloadSpeed(), PIECE, 'the assumed rate until shown otherwise');
  clock += 200;
  wire.downloadSpeed(3 * PIECE);
  assert.equal(wire.downloadSpeed(), 3 * PIECE, 'the first second: every byte counts');
  clock += 1800;
  wire.downloadSpeed(PIECE);
  assert.equal(wire.downloadSpeed(), PIECE, 'then the last second’s bytes');
  clock += 500;
  wire.downloadSpeed(2 * PIECE);
  assert.equal(wire.downloadSpeed(), 3 * PIECE);
  clock += 3000;
  assert.equal(wire.downloadSpeed(), windowRate, 'nothing lately: the 5 s average');
  wire.emit('unchoke');
  assert.equal(wire.downloadSpeed(), PIECE, 'counted again from the next unchoke');
});

it('judges a peer by what it has shown: a fresh one at most as fast as the best other, a steady one by its 5 s average', () => {
  let clock = 0;
  const fake = (average: number) =>
    Object.assign(new EventEmitter(), { downloadSpeed: (_delta?: number) => average });
  const steady = fake(40_000);
  const fresh = fake(0);
  rateFromUnchoke(
    steady,
    () => PIECE,
    () => clock,
  );
  rateFromUnchoke(
    fresh,
    () => PIECE,
    () => clock,
  );
  clock = 6000;
  steady.downloadSpeed(4 * 16_384); // a burst: the last second holds two of a capped aria2c's
  assert.equal(steady.downloadSpeed(), 4 * 16_384, 'the pipeline follows the burst');
  assert.equal(likelyRate(steady, [steady, fresh]), 40_000, 'what to ask of it: its 5 s average');
  fresh.emit('unchoke');
  assert.equal(fresh.downloadSpeed(), PIECE, 'the pipeline starts at the assumed rate');
  assert.equal(likelyRate(fresh, [steady, fresh]), 40_000, 'no more than the best the others have shown');
  assert.equal(likelyRate(fresh, [fresh]), PIECE, 'alone, nothing to go by but the assumption');
  clock += 200;
  fresh.downloadSpeed(3 * PIECE);
  assert.equal(likelyRate(fresh, [steady, fresh]), 3 * PIECE, 'once it shows more, what it showed');
});

it('assumes of a newly unchoked peer no more than the best rate its swarm has shown, nor more than a second’s worth', () => {
  let clock = 0;
  const fake = () => Object.assign(new EventEmitter(), { downloadSpeed: (_delta?: number) => 0 });
  const capped = fake();
  const fresh = fake();
  const peers = [capped, fresh];
  for (const wire of peers)
    rateFromUnchoke(
      wire,
      () => firstSecondRate(wire, peers),
      () => clock,
    );
  capped.emit('unchoke');
  fresh.emit('unchoke');
  assert.equal(fresh.downloadSpeed(), FIRST_SECOND_RATE, 'nobody has shown a rate: the assumption');
  clock = 1200;
  capped.downloadSpeed(2 * 16_384); // a capped aria2c's first burst: two blocks
  clock = 1500;
  fresh.emit('unchoke');
  assert.equal(fresh.downloadSpeed(), 2 * 16_384, 'what the capped peer showed, not a second at 128 KiB/s');
  clock = 1700;
  capped.downloadSpeed(40 * 16_384);
  assert.equal(fresh.downloadSpeed(), FIRST_SECOND_RATE, 'a fast swarm: still no more than the assumption');
  clock = 1800;
  fresh.downloadSpeed(20 * 16_384);
  assert.equal(fresh.downloadSpeed(), 20 * 16_384, 'what it shows itself counts from its first block');
});
