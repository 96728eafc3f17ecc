/**
 * Play positions live in the state file with their torrent: a server stopped and started again on the same
 * folder (a real engine, a real loopback seeder, the HTTP API) answers the positions it was given, writes
 * them at shutdown without waiting for its coalescing timer, and a removed torrent takes its positions along.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { POSITION_SAVE_MS } from '../../src/torrent/persistence.js';
import { type SavedTorrent, STATE_FILE } from '../../src/torrent/state-store.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

let work: string;
let seeder: Seeder;
const running: Array<{ engine: TorrentEngine; server: TestServer }> = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-positions-'));
  const path = join(work, 'episode.mkv');
  writeFileSync(path, randomBytes(300 * 1024));
  seeder = await startSeeder(path, { pieceLength: 32 * 1024 });
});

after(async () => {
  for (const { engine, server } of running) {
    await server.close();
    await engine.destroy();
  }
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

async function start(dir: string) {
  const engine = await startTestEngine(dir, { utp: false, tracker: false });
  const server = await startTestServer({ torrents: engine });
  running.push({ engine, server });
  return { engine, server };
}

async function stop(run: { engine: TorrentEngine; server: TestServer }): Promise<void> {
  running.splice(running.indexOf(run), 1);
  await run.server.close();
  await run.engine.destroy();
}

const positionUrl = (server: TestServer, index = 0) =>
  `${server.url}/api/torrents/${seeder.infoHash}/files/${index}/position`;

const putPosition = (server: TestServer, seconds: number) =>
  fetch(positionUrl(server), {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ seconds }),
  });

const savedTorrents = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as { torrents: SavedTorrent[] }).torrents;

it('keeps play positions across a restart, and drops them with their torrent', {
  timeout: 60_000,
}, async () => {
  assert.ok(POSITION_SAVE_MS >= 5_000, 'positions are coalesced, not written on every PUT');
  const dir = join(work, 'dl');
  const first = await start(dir);
  const added = await fetch(`${first.server.url}/api/torrents`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: seeder.magnet }),
  });
  assert.equal(added.status, 201);
  // A player reporting every few seconds: only the last one counts.
  for (const seconds of [10, 15, 20, 754.5])
    assert.equal((await putPosition(first.server, seconds)).status, 200);
  const before = (await (await fetch(positionUrl(first.server))).json()) as {
    seconds: number;
    updatedAt: string;
  };
  assert.equal(before.seconds, 754.5);
  await stop(first);
  // Shutdown wrote it, whatever the coalescing timer was doing.
  assert.equal(savedTorrents(dir)[0]?.positions?.['0']?.seconds, 754.5);

  const second = await start(dir);
  const after = await fetch(positionUrl(second.server));
  assert.equal(after.status, 200);
  assert.deepEqual(await after.json(), before);
  const torrent = (await (await fetch(`${second.server.url}/api/torrents/${seeder.infoHash}`)).json()) as {
    files: Array<{ position?: unknown }>;
  };
  assert.deepEqual(torrent.files[0]?.position, before);

  // Removed, its positions go; added again, it starts from nothing.
  assert.equal(
    (await fetch(`${second.server.url}/api/torrents/${seeder.infoHash}`, { method: 'DELETE' })).status,
    204,
  );
  assert.deepEqual(savedTorrents(dir), []);
  assert.equal((await fetch(positionUrl(second.server))).status, 404);
  await fetch(`${second.server.url}/api/torrents`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: seeder.magnet }),
  });
  assert.deepEqual(await (await fetch(positionUrl(second.server))).json(), { seconds: 0 });
});
