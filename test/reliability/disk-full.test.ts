/**
 * The download folder fills up: an 8 MB tmpfs as the engine's folder (mounted by the test, which needs root;
 * skipped with the reason otherwise). A torrent larger than the space left stops with a clear error on the
 * torrent and on its stream; the server does not crash, and a torrent already on disk still streams.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { makeMedia } from '../helpers/media.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';
import { type Seeder, startSeeder } from '../helpers/swarm.js';
import { loopbackEngine, waitFor } from './support.js';

let work: string;
let mountPoint: string;
let mounted = false;
let skipReason: string | undefined;
let engine: TorrentEngine;
let server: TestServer;
let small: Seeder;
let large: Seeder;
let smallBytes: Buffer;

interface TorrentView {
  progress: number;
  error?: string;
  stallReason: string | null;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-diskfull-'));
  mountPoint = join(work, 'tmpfs');
  mkdirSync(mountPoint);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    mounted = true;
  } catch (err) {
    skipReason = `cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})`;
    return;
  }
  const mp4 = await makeMedia('mp4', { seconds: 6, size: '320x240', dir: join(work, 'a'), name: 'Small' });
  smallBytes = readFileSync(mp4);
  const big = join(work, 'b', 'Large.mp4');
  mkdirSync(join(work, 'b'));
  // Not a real video past its head: random bytes fill the disk just as well, and direct mode sends them.
  writeFileSync(big, Buffer.concat([smallBytes, randomBytes(12 * 1024 * 1024)]));
  small = await startSeeder(mp4);
  large = await startSeeder(big, { pieceLength: 64 * 1024 });
  engine = await loopbackEngine(mountPoint, { utp: false });
  server = await startTestServer({ torrents: engine });
});

after(async () => {
  await server?.close();
  await engine?.destroy();
  await small?.close();
  await large?.close();
  if (mounted) execFileSync('umount', [mountPoint]);
  rmSync(work, { recursive: true, force: true });
});

async function view(infoHash: string): Promise<TorrentView> {
  return (await (await fetch(`${server.url}/api/torrents/${infoHash}`)).json()) as TorrentView;
}

async function add(magnet: string): Promise<string> {
  const response = await fetch(`${server.url}/api/torrents`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: magnet }),
  });
  assert.equal(response.status, 201);
  return ((await response.json()) as { infoHash: string }).infoHash;
}

it('stops the torrent that fills the disk with a clear error; the server and other torrents go on', {
  timeout: 60_000,
}, async (t) => {
  if (skipReason) return t.skip(skipReason);
  const smallHash = await add(small.magnet);
  await waitFor('the small torrent on disk', async () => (await view(smallHash)).progress === 1);

  const largeHash = await add(large.magnet);
  await engine.waitForMetadata(largeHash);
  // The torrent downloads in the background too: the disk may fill before or after the stream starts.
  const response = await fetch(`${server.url}/stream/${largeHash}/0?mode=direct`);
  if (response.status === 200) {
    // The body cannot complete: the disk fills first and the transfer is cut.
    await assert.rejects(bodyBytes(response));
  } else {
    assert.equal(response.status, 503);
    assert.match(((await response.json()) as { error: string }).error, /no space left on device/i);
  }

  const failed = await waitFor('the error on the torrent', async () => {
    const shown = await view(largeHash);
    return shown.error ? shown : null;
  });
  assert.match(failed.error!, /no space left on device/i);
  assert.match(failed.stallReason ?? '', /no space left on device/i);
  assert.ok(failed.progress < 1);

  const again = await fetch(`${server.url}/stream/${largeHash}/0?mode=direct`);
  assert.equal(again.status, 503);
  assert.match(((await again.json()) as { error: string }).error, /no space left on device/i);

  const other = await fetch(`${server.url}/stream/${smallHash}/0`);
  assert.equal(other.status, 200);
  assert.ok((await bodyBytes(other)).equals(smallBytes), 'the torrent on disk streams exactly');
  const list = (await (await fetch(`${server.url}/api/torrents`)).json()) as Array<{ infoHash: string }>;
  assert.deepEqual(list.map((entry) => entry.infoHash).sort(), [smallHash, largeHash].sort());
});
