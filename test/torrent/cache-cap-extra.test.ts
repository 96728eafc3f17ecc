/**
 * Bytes kept elsewhere for a torrent (HLS segments) count under the cache cap with its own data, and the
 * engine says when it evicts, so whoever keeps them (the HLS service) drops them along.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

const SIZE = 1024 * 1024;
let work: string;
let engine: TorrentEngine;
let seeder: Seeder;
const extra = new Map<string, number>();

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-cache-extra-'));
  writeFileSync(join(work, 'film.bin'), randomBytes(SIZE));
  seeder = await startSeeder(join(work, 'film.bin'), { pieceLength: 32 * 1024 });
  engine = await startTestEngine(join(work, 'dl'), {
    utp: false,
    tracker: false,
    maxCacheBytes: 1.5 * SIZE,
    extraBytes: (infoHash) => extra.get(infoHash) ?? 0,
  });
});

after(async () => {
  await engine?.destroy();
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

it('counts a torrent’s extra bytes under the cap and announces its eviction', {
  timeout: 60_000,
}, async () => {
  const { entry } = await engine.add(seeder.magnet);
  await engine.waitForMetadata(entry.infoHash);
  const source = engine.open(entry.infoHash, 0)!;
  assert.equal((await source.read(0, SIZE)).length, SIZE);
  await source.close();
  assert.deepEqual(await engine.enforceCap(), [], 'its 1 MiB alone fits under 1.5 MiB');

  extra.set(entry.infoHash, SIZE); // segments made of it: 2 MiB in all
  const evicted: string[] = [];
  engine.events.on('evicted', (infoHash) => evicted.push(infoHash));
  assert.deepEqual(await engine.enforceCap(), [entry.infoHash]);
  assert.deepEqual(evicted, [entry.infoHash]);
});
