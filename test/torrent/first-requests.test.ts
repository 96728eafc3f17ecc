/**
 * What a peer is asked, and told, while a read waits (src/torrent/block-spread.ts, endgame.ts, peer-nudge.ts),
 * against peers scripted on TCP sockets: a peer sends what it is asked in the order asked, so anything asked
 * before the pieces a stream needs first holds them up. Observed in the messages the peers get, never by
 * time. The real aria2c's allowed-fast pieces are in endgame-capped.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, it } from 'node:test';
import type { Wire } from 'webtorrent';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { bencode } from '../helpers/bencode.js';
import { eventually } from '../helpers/eventually.js';
import {
  blockOf,
  MESSAGE,
  ScriptedPeer,
  type ScriptedPeerOptions,
  uint32,
} from '../helpers/scripted-peer.js';
import { startTestEngine } from '../helpers/swarm.js';

/** One block a piece: a request names a piece. */
const PIECE = 16 * 1024;
const PIECES = 256;
const WAITED = 5;

let work: string;
let engine: TorrentEngine;
const cleanups: Array<() => Promise<void> | void> = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-first-requests-'));
  engine = await startTestEngine(join(work, 'dl'), { utp: false, tracker: false });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

after(async () => {
  await engine?.destroy();
  rmSync(work, { recursive: true, force: true });
});

/** A torrent of its own (nobody will send its data), added from its .torrent, and a read waiting or not. */
async function torrent(
  name: string,
): Promise<{ infoHash: Buffer; wires: Wire[]; read(piece: number): void }> {
  const info = { length: PIECES * PIECE, name, 'piece length': PIECE, pieces: randomBytes(20 * PIECES) };
  const { entry } = await engine.add(bencode({ info }));
  cleanups.push(async () => void (await engine.remove(entry.infoHash)));
  return {
    infoHash: createHash('sha1').update(bencode(info)).digest(),
    wires: engine.torrent(entry.infoHash)!.wires,
    read: (piece) => {
      const source = engine.open(entry.infoHash, 0)!;
      const reader = new AbortController();
      source.read(piece * PIECE, PIECE, { signal: reader.signal }).catch(() => undefined);
      cleanups.push(() => {
        reader.abort();
        source.close();
      });
    },
  };
}

/** A peer connected to the engine, its handshake sent. */
async function peerOf(infoHash: Buffer, options: ScriptedPeerOptions = {}): Promise<ScriptedPeer> {
  const socket = connect(engine.port, '127.0.0.1');
  cleanups.push(() => void socket.destroy());
  await once(socket, 'connect');
  return new ScriptedPeer(socket, infoHash, `-XX0001-${randomBytes(6).toString('hex')}`, options);
}

/** A seeder that connects to the engine, says it has every piece, and waits for the engine's interest. */
async function seeder(infoHash: Buffer, options: ScriptedPeerOptions = {}): Promise<ScriptedPeer> {
  const peer = await peerOf(infoHash, options);
  peer.send(MESSAGE.bitfield, Buffer.alloc(PIECES / 8, 0xff));
  await peer.nextOf(MESSAGE.interested);
  return peer;
}

/** A torrent with a read waiting on WAITED, and a seeder that unchoked us and was asked for it first. */
async function askedHolder(name: string) {
  const added = await torrent(name);
  added.read(WAITED);
  const holder = await seeder(added.infoHash);
  holder.send(MESSAGE.unchoke);
  assert.equal(blockOf(await holder.nextOf(MESSAGE.request)).piece, WAITED, 'the holder is asked first');
  return { ...added, holder };
}

it('a choked peer is not asked for its allowed-fast pieces while a read waits, even the read’s own', {
  timeout: 30_000,
}, async () => {
  const { infoHash, wires, read } = await torrent('allowed-fast.bin');
  read(WAITED);
  const peer = await seeder(infoHash, { fast: true });
  const wire = wires.find((w) => w.remotePort === peer.socket.localPort);
  assert.ok(wire, 'the peer’s wire');
  peer.send(MESSAGE.allowedFast, uint32(WAITED));
  peer.send(MESSAGE.allowedFast, uint32(200));
  // webtorrent asks for allowed-fast pieces as each is named, in the same turn.
  assert.ok(await eventually(() => wire.peerAllowedFastSet.length === 2), 'both named');
  assert.deepEqual(wire.requests, [], 'nothing asked while it chokes');
  peer.send(MESSAGE.unchoke);
  assert.equal(blockOf(await peer.nextOf(MESSAGE.request)).piece, WAITED);
});

it('what a choked peer was asked before a read came is cancelled when it unchokes, but the first', {
  timeout: 15_000,
}, async () => {
  const { infoHash, read } = await torrent('asked-before.bin');
  const peer = await seeder(infoHash, { fast: true });
  const offered = [200, 201, 202];
  for (const piece of offered) peer.send(MESSAGE.allowedFast, uint32(piece));
  const asked: number[] = [];
  for (const _ of offered) asked.push(blockOf(await peer.nextOf(MESSAGE.request)).piece);
  assert.deepEqual(asked.sort(), offered, 'asked for its allowed-fast pieces while no read waits');
  read(WAITED);
  await seeder(infoHash); // the endgame has peers to choose from: this one chokes us throughout
  peer.send(MESSAGE.unchoke);
  // All but the first, which may be on its way (a peer that never hears of them fails by the timeout).
  const cancelled: number[] = [];
  const requested: number[] = [];
  while (cancelled.length < offered.length - 1) {
    const next = await peer.next();
    if (next.id === MESSAGE.cancel) cancelled.push(blockOf(next).piece);
    if (next.id === MESSAGE.request) requested.push(blockOf(next).piece);
  }
  assert.deepEqual(cancelled.sort(), asked.slice(1));
  if (requested.length === 0) requested.push(blockOf(await peer.nextOf(MESSAGE.request)).piece);
  assert.equal(requested[0], WAITED, 'then the waited piece');
});

it('a sending peer is told again that we are interested while a read waits on it (peer-nudge.ts)', {
  timeout: 30_000,
}, async () => {
  const { holder } = await askedHolder('nudged.bin');
  // Nothing is sent: the read keeps waiting, and the peer hears it again, period after period.
  await holder.nextOf(MESSAGE.interested);
  await holder.nextOf(MESSAGE.interested);
});

it('a stalled peer’s blocks are asked of an idle peer whose rate is not known yet (endgame.ts)', {
  timeout: 30_000,
}, async () => {
  const { infoHash, wires } = await askedHolder('stalled-holder.bin');
  // A peer with none of the pieces yet that lets us ask: nothing is asked of it, so it shows no rate.
  const idle = await peerOf(infoHash);
  idle.send(MESSAGE.bitfield, Buffer.alloc(PIECES / 8));
  idle.send(MESSAGE.unchoke);
  // Past the first second of each unchoke, where a rate is assumed: the holder has stalled, the idle peer
  // has shown nothing.
  assert.ok(await eventually(() => wires.length === 2 && wires.every((w) => w.downloadSpeed() === 0)));
  idle.send(MESSAGE.have, uint32(WAITED));
  assert.equal(blockOf(await idle.nextOf(MESSAGE.request)).piece, WAITED, 'the idle peer gets a copy');
});

it('a peer that stalls without a word is found out: its blocks go to an idle peer (endgame.ts)', {
  timeout: 30_000,
}, async () => {
  const { infoHash } = await askedHolder('silent-stall.bin');
  // At once, while the holder still looks as fast as any (its first second): no copy is worth it yet. Then
  // nothing happens on any wire; the holder never sends.
  const idle = await peerOf(infoHash);
  const onlyWaited = Buffer.alloc(PIECES / 8);
  onlyWaited[WAITED >> 3] = 0x80 >> (WAITED & 7);
  idle.send(MESSAGE.bitfield, onlyWaited);
  idle.send(MESSAGE.unchoke);
  assert.equal(blockOf(await idle.nextOf(MESSAGE.request)).piece, WAITED, 'the idle peer gets a copy');
});
