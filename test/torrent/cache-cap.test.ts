/**
 * The cache cap: over `maxCacheBytes`, the least recently streamed torrent nobody reads loses its data but stays
 * listed, and streaming it again fetches what is read; a torrent with a live reader is never evicted.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

const SIZE = 1024 * 1024;
let work: string;
let engine: TorrentEngine;
const seeders: Seeder[] = [];
const contents: Buffer[] = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-cache-'));
  for (const name of ['first.bin', 'second.bin']) {
    const data = randomBytes(SIZE);
    writeFileSync(join(work, name), data);
    contents.push(data);
    seeders.push(await startSeeder(join(work, name), { pieceLength: 32 * 1024 }));
  }
  engine = await startTestEngine(join(work, 'dl'), { utp: false, tracker: false, maxCacheBytes: 1.5 * SIZE });
});

after(async () => {
  await engine?.destroy();
  for (const seeder of seeders) await seeder.close();
  rmSync(work, { recursive: true, force: true });
});

it('evicts the least recently streamed idle torrent and streams it again on demand', {
  timeout: 60_000,
}, async () => {
  const hashes: string[] = [];
  for (const [i, seeder] of seeders.entries()) {
    const { entry } = await engine.add(seeder.magnet);
    await engine.waitForMetadata(entry.infoHash);
    const source = engine.open(entry.infoHash, 0)!;
    assert.ok((await source.read(0, SIZE)).equals(contents[i]!));
    hashes.push(entry.infoHash);
  }
  const [first, second] = hashes as [string, string];
  // A reader with a live signal keeps the second torrent in use.
  const reader = new AbortController();
  const busy = engine.open(second, 0)!;
  await busy.read(0, 10, { signal: reader.signal });

  assert.deepEqual(await engine.enforceCap(), [first]);
  assert.equal(existsSync(join(work, 'dl', first, 'first.bin')), false, 'its data is gone');
  assert.ok(existsSync(join(work, 'dl', second, 'second.bin')));
  assert.deepEqual(
    engine.list().map((entry) => entry.infoHash),
    [first, second],
  );
  const evicted = await engine.waitForMetadata(first);
  assert.equal(evicted.progress, 0);
  assert.deepEqual(engine.fileRanges(first, 0), []);

  // Under an impossible cap the busy torrent still stays.
  assert.deepEqual(await engine.enforceCap(), []);

  // Streaming the evicted torrent fetches what is read again.
  const source = engine.open(first, 0)!;
  const middle = SIZE / 2;
  assert.ok((await source.read(middle, 1000)).equals(contents[0]!.subarray(middle, middle + 1000)));
  const got = engine.fileRanges(first, 0);
  assert.ok(got.some(([start, end]) => start <= middle && end >= middle + 1000));

  // Once read in full again it is the most recently streamed: the now idle second torrent goes instead.
  assert.ok((await source.read(0, SIZE)).equals(contents[0]!));
  reader.abort();
  assert.deepEqual(await engine.enforceCap(), [second]);
  assert.equal(existsSync(join(work, 'dl', first, 'first.bin')), true);
  assert.equal(existsSync(join(work, 'dl', second, 'second.bin')), false);
});
