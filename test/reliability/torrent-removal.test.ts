/**
 * Removing a torrent ends what reads it: `DELETE …?deleteFiles=true` cuts its open streams (direct bytes,
 * remux, a seek over the seekable input) and stops their FFmpeg, so the deleted files are let go; streams of
 * other torrents go on, and the server stays healthy.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { makeMedia } from '../helpers/media.js';
import { childProcesses, ffmpegChildrenGone } from '../helpers/processes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Seeder, startSeeder } from '../helpers/swarm.js';
import { addAndDownload, loopbackEngine, waitFor } from './support.js';

let work: string;
let removed: Seeder;
let kept: Seeder;
let engine: TorrentEngine;
let server: TestServer;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-removal-'));
  const folder = join(work, 'content', 'Removed');
  mkdirSync(folder, { recursive: true });
  copyFileSync(await makeMedia('mkv-h264-aac', { seconds: 60, size: '640x360' }), join(folder, 'Long.mkv'));
  // Larger than every buffer between the server and a client that stopped reading: the stream stays open.
  const mp4 = readFileSync(await makeMedia('mp4'));
  writeFileSync(join(folder, 'Big.mp4'), Buffer.concat([mp4, randomBytes(24 * 1024 * 1024)]));
  removed = await startSeeder(folder);
  kept = await startSeeder(await makeMedia('mkv-h264-aac', { seconds: 60, size: '640x360', name: 'Other' }));
  engine = await loopbackEngine(join(work, 'dl'), { utp: false });
  server = await startTestServer({ torrents: engine });
});

after(async () => {
  await server?.close();
  await engine?.destroy();
  await removed?.close();
  await kept?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A stream whose first bytes were read, then left unread (its server side waits on the client). */
async function held(url: string): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  const reader = response.body!.getReader();
  assert.ok(((await reader.read()).value?.length ?? 0) > 0);
  return reader;
}

/** Reads the rest: 'ended' when the body completed, 'cut' when the connection was cut. */
async function rest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<'ended' | 'cut'> {
  try {
    for (;;) if ((await reader.read()).done) return 'ended';
  } catch {
    return 'cut';
  }
}

it('DELETE with deleteFiles ends the torrent’s streams and their FFmpeg; other streams go on', {
  timeout: 90_000,
}, async () => {
  const { infoHash, files } = await addAndDownload(server.url, removed.magnet);
  const other = await addAndDownload(server.url, kept.magnet);
  const index = (name: string) => files.find((file) => file.name === name)!.index;
  const stream = (name: string, query: string) => `${server.url}/stream/${infoHash}/${index(name)}?${query}`;
  const readers = [
    await held(stream('Big.mp4', 'mode=direct')),
    await held(stream('Long.mkv', 'mode=remux')),
    await held(stream('Long.mkv', 'mode=remux&t=30')),
  ];
  const otherReader = await held(`${server.url}/stream/${other.infoHash}/0?mode=remux`);
  assert.ok(childProcesses().length >= 3, 'an FFmpeg per remux stream');

  const deleted = await fetch(`${server.url}/api/torrents/${infoHash}?deleteFiles=true`, {
    method: 'DELETE',
  });
  assert.equal(deleted.status, 204);
  assert.deepEqual(await Promise.all(readers.map(rest)), ['cut', 'cut', 'cut']);
  assert.equal(existsSync(join(work, 'dl', infoHash)), false);
  await waitFor('only the other torrent’s FFmpeg left', () => childProcesses().length === 1, 5000);
  assert.equal(await rest(otherReader), 'ended');
  assert.deepEqual(await ffmpegChildrenGone(), []);

  const health = await fetch(`${server.url}/api/health`);
  assert.equal(health.status, 200);
  await health.arrayBuffer();
  const gone = await fetch(stream('Long.mkv', 'mode=remux'));
  assert.equal(gone.status, 404);
  await gone.arrayBuffer();
});
