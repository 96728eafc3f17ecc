/**
 * Persistence: after destroy() and create() on the same folder the torrents are back, their data checked from
 * disk rather than downloaded again; a magnet without metadata comes back as a magnet; removal sticks. With
 * restore off (a one-shot run) the saved torrents stay saved but idle.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { type EngineOptions, TorrentEngine } from '../../src/torrent/index.js';
import { type SavedTorrent, STATE_FILE } from '../../src/torrent/state-store.js';
import { type Seeder, startSeeder } from '../helpers/swarm.js';

let work: string;
let data: Buffer;
let seeder: Seeder;
const open: TorrentEngine[] = [];

function options(dir: string): EngineOptions {
  return {
    dir,
    dht: false,
    lsd: false,
    natUpnp: false,
    natPmp: false,
    utp: false,
    tracker: false,
    torrentPort: 0,
  };
}

async function create(dir: string): Promise<TorrentEngine> {
  const engine = await TorrentEngine.create(options(dir));
  open.push(engine);
  return engine;
}

/** Bounded poll of a condition no event reports to the test. */
async function waitFor(condition: () => boolean, deadlineMs = 20_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-restart-'));
  data = randomBytes(2 * 1024 * 1024 + 777);
  const path = join(work, 'clip.bin');
  writeFileSync(path, data);
  seeder = await startSeeder(path, { pieceLength: 32 * 1024 });
});

after(async () => {
  for (const engine of open) await engine.destroy();
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

it('brings torrents back after a restart without downloading them again', { timeout: 60_000 }, async () => {
  const dir = join(work, 'dl');
  const first = await create(dir);
  const { entry } = await first.add(seeder.magnet);
  const orphan = 'aa'.repeat(20);
  await first.add(orphan); // no peer will ever have it: it stays a magnet
  await first.waitForMetadata(entry.infoHash);
  const source = first.open(entry.infoHash, 0)!;
  assert.ok((await source.read(0, data.length)).equals(data));
  assert.equal(first.get(entry.infoHash)?.progress, 1);
  await first.destroy();
  // The data lives in the torrent's own folder, next to the state file.
  assert.ok(existsSync(join(dir, entry.infoHash, 'clip.bin')));
  assert.ok(readdirSync(dir).some((name) => name.endsWith('.json')));

  // Count block requests the seeder receives and piece messages we receive: both must stay at zero.
  let requested = 0;
  seeder.torrent.on('wire', (wire: EventEmitter) => wire.on('request', () => requested++));
  const second = await create(dir);
  const listed = second.list().map((e) => e.infoHash);
  assert.deepEqual(listed.sort(), [entry.infoHash, orphan].sort());
  assert.equal(second.get(orphan)?.ready, false);
  const back = await second.waitForMetadata(entry.infoHash);
  assert.equal(back.progress, 1);
  assert.equal(back.files[0]?.progress, 1);
  const torrent = second.torrent(entry.infoHash)!;
  let received = 0;
  let wires = 0;
  const watch = (wire: EventEmitter) => {
    wires++;
    wire.on('piece', () => received++);
  };
  // The restored torrent dials its saved peer hints itself: a wire may already be up before we listen.
  for (const wire of torrent.wires) watch(wire);
  torrent.on('wire', watch);
  // A peer is there and would serve us; nothing is missing, so nothing is asked for.
  second.addPeer(entry.infoHash, `127.0.0.1:${seeder.port}`);
  const again = second.open(entry.infoHash, 0)!;
  assert.ok((await again.read(0, data.length)).equals(data));
  assert.deepEqual(second.fileRanges(entry.infoHash, 0), [[0, data.length]]);
  await waitFor(() => wires > 0); // the peer really connected
  assert.equal(received, 0);
  assert.equal(requested, 0);

  assert.equal(await second.remove(orphan), true);
  assert.equal(await second.remove(orphan), false);
  assert.equal(await second.remove(entry.infoHash, { deleteFiles: true }), true);
  assert.equal(existsSync(join(dir, entry.infoHash)), false);
  await second.destroy();
  const state = readFileSync(join(dir, readdirSync(dir).find((name) => name.endsWith('.json'))!), 'utf8');
  assert.deepEqual(JSON.parse(state).torrents, []);

  const third = await create(dir);
  assert.deepEqual(third.list(), []);
});

// A corrupt state file: test/reliability/state-file.test.ts.
it('starts with no torrents when persistence is off, and leaves the state file as it was', {
  timeout: 60_000,
}, async () => {
  const dir = join(work, 'memory-only');
  const engine = await create(dir);
  await engine.add(seeder.torrentFile);
  await engine.destroy();
  const before = readFileSync(join(dir, STATE_FILE), 'utf8');
  const memoryOnly = await TorrentEngine.create({ ...options(dir), persist: false });
  open.push(memoryOnly);
  assert.deepEqual(memoryOnly.list(), []);
  await memoryOnly.add('cc'.repeat(20));
  await memoryOnly.destroy();
  assert.equal(readFileSync(join(dir, STATE_FILE), 'utf8'), before);
});

it('with restore off: resumes nothing, keeps the saved torrents, and resumes one when it is added again', {
  timeout: 60_000,
}, async () => {
  const dir = join(work, 'one-shot');
  const saved = () =>
    (JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as { torrents: SavedTorrent[] }).torrents;
  const library = await create(dir);
  const { entry } = await library.add(seeder.magnet);
  const orphan = 'bb'.repeat(20);
  await library.add(orphan);
  await library.waitForMetadata(entry.infoHash);
  assert.ok((await library.open(entry.infoHash, 0)!.read(0, data.length)).equals(data));
  await library.destroy();
  const before = saved();

  const oneShot = await TorrentEngine.create({ ...options(dir), restore: false });
  open.push(oneShot);
  assert.deepEqual(oneShot.list(), []);
  await oneShot.add(seeder.magnet);
  const back = await oneShot.waitForMetadata(entry.infoHash);
  assert.equal(back.progress, 1);
  assert.deepEqual(
    oneShot.list().map((e) => e.infoHash),
    [entry.infoHash],
  );
  await oneShot.destroy();
  const after = saved();
  // The orphan is written back as it was; the re-added torrent kept its saved record (its addedAt).
  assert.deepEqual(
    after.find((t) => t.infoHash === orphan),
    before.find((t) => t.infoHash === orphan),
  );
  assert.equal(
    after.find((t) => t.infoHash === entry.infoHash)?.addedAt,
    before.find((t) => t.infoHash === entry.infoHash)?.addedAt,
  );

  const serveAgain = await create(dir);
  assert.deepEqual(
    serveAgain
      .list()
      .map((e) => e.infoHash)
      .sort(),
    [entry.infoHash, orphan].sort(),
  );
});

it('answers an add before the state file is written, and writes it after', { timeout: 60_000 }, async () => {
  const dir = join(work, 'slow-disk');
  const engine = await create(dir);
  // The next write's temporary file is a FIFO nobody reads: that write waits until the test reads it.
  const fifo = join(dir, `${STATE_FILE}.${process.pid}.tmp`);
  execFileSync('mkfifo', [fifo]);
  const { entry, created } = await engine.add(seeder.torrentFile);
  assert.equal(created, true, 'added while the state write is stuck');
  const written = await readFile(fifo, 'utf8'); // unblocks it (not readFileSync: the write is queued on this thread)
  assert.ok(JSON.parse(written).torrents.some((t: SavedTorrent) => t.infoHash === entry.infoHash));
  await engine.destroy();
});
