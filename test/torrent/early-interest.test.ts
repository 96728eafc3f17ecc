/**
 * A peer that says `interested` in the same breath as its handshake is unchoked (src/torrent/early-interest.ts):
 * webtorrent's own unchoke-on-interested listener comes a microtask after the handshake is read, too late for
 * it. The peer is a script on a socket that writes its handshake and `interested` as one chunk.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { ScriptedPeer } from '../helpers/scripted-peer.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

const UNCHOKE = 1;
const INTERESTED = Buffer.from([0, 0, 0, 1, 2]);

let work: string;
let seeder: Seeder;
let engine: TorrentEngine;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-early-interest-'));
  writeFileSync(join(work, 'film.bin'), randomBytes(1 << 20));
  // Only its .torrent is used: the engine is never told where it is.
  seeder = await startSeeder(join(work, 'film.bin'));
  engine = await startTestEngine(join(work, 'dl'), { utp: false, tracker: false });
});

after(async () => {
  await engine?.destroy();
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

it('unchokes a peer whose interested came in the same read as its handshake', {
  timeout: 30_000,
}, async () => {
  const { entry } = await engine.add(seeder.torrentFile);
  await engine.waitForMetadata(entry.infoHash);
  const socket = connect(engine.port, '127.0.0.1');
  await once(socket, 'connect');
  // The peer's handshake, held back to go out with its interested as one write.
  const write = socket.write.bind(socket);
  const held: Buffer[] = [];
  socket.write = ((chunk: Buffer) => held.push(chunk) > 0) as typeof socket.write;
  const peer = new ScriptedPeer(socket, Buffer.from(entry.infoHash, 'hex'), '-XX0100-abcdefghijkl');
  socket.write = write;
  write(Buffer.concat([...held, INTERESTED]));
  try {
    const unchoked = (async () => {
      for (;;) if ((await peer.next()).id === UNCHOKE) return true;
    })();
    // webtorrent's rechoke (every 10 s) did not unchoke such a peer within 25 s either.
    const deadline = new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000).unref());
    assert.equal(await Promise.race([unchoked, deadline]), true, 'unchoked');
  } finally {
    socket.destroy();
    await engine.remove(entry.infoHash);
  }
});
