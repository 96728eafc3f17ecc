/**
 * uTP on (the default) must not delay TCP-only peers: webtorrent dials a peer by uTP first and falls back to
 * TCP only after three uTP connect timeouts and back-offs (~40 s), while many peers speak TCP only. The engine
 * dials TCP first and keeps uTP as the retry, so a TCP-only seeder is reached at once and a uTP-only one still
 * is.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { isolatedClient, type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

let work: string;
let data: string;
let tcpOnly: Seeder;
const engines: TorrentEngine[] = [];

async function newEngine(name: string): Promise<TorrentEngine> {
  // uTP left at its default (on), as a user runs it.
  const engine = await startTestEngine(join(work, name), { tracker: false });
  engines.push(engine);
  return engine;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-utp-'));
  data = join(work, 'data.bin');
  writeFileSync(data, randomBytes(300_000));
  tcpOnly = await startSeeder(data);
});

after(async () => {
  for (const engine of engines) await engine.destroy();
  await tcpOnly?.close();
  rmSync(work, { recursive: true, force: true });
});

it('reaches a TCP-only seeder at once, by TCP', { timeout: 15_000 }, async () => {
  const engine = await newEngine('tcp');
  const { entry } = await engine.add(tcpOnly.magnet);
  // webtorrent's own order needs ~40 s here (uTP timeouts first): the test's timeout fails it.
  const ready = await engine.waitForMetadata(entry.infoHash);
  assert.equal(ready.files.length, 1);
  const types = engine.torrent(entry.infoHash)!.wires.map((wire) => wire.type);
  assert.deepEqual(types, ['tcpOutgoing']);
  const source = engine.open(entry.infoHash, 0)!;
  assert.equal((await source.read(0, 1000)).length, 1000);
});

it('still reaches a seeder that speaks only uTP', { timeout: 30_000 }, async () => {
  const client = isolatedClient();
  try {
    await new Promise<void>((resolve) => client.once('listening', () => resolve()));
    const seeded = await new Promise<{ infoHash: string }>((resolve) =>
      client.seed(data, { announce: [] }, resolve),
    );
    // Its TCP listener gone, only its uTP socket answers on the port.
    const pool = (
      client as unknown as { _connPool: { tcpServer: { close(): void }; utpServer: { unref(): void } } }
    )._connPool;
    pool.tcpServer.close();
    // utp-native keeps a socket with a half-closed connection open ~30 s after destroy; this seeder is ours.
    pool.utpServer.unref();
    const engine = await newEngine('utp');
    const { entry } = await engine.add(
      `magnet:?xt=urn:btih:${seeded.infoHash}&x.pe=127.0.0.1:${client.torrentPort}`,
    );
    await engine.waitForMetadata(entry.infoHash);
    const types = engine.torrent(entry.infoHash)!.wires.map((wire) => wire.type);
    assert.deepEqual(types, ['utpOutgoing']);
    await engine.destroy(); // before the seeder: its goodbye is then answered
  } finally {
    await new Promise<void>((resolve) => client.destroy(() => resolve()));
  }
});
