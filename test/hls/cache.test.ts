/**
 * Segments are kept on disk per torrent: counted (what the cache cap adds to the torrent's data) and
 * deleted with the torrent, and directories of torrents no longer listed are pruned.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let work: string;
let server: TestServer;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'streamtide-hls-cache-'));
  server = await startTestServer({ hlsCacheDir: join(work, 'hls') });
});
after(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

it('counts a torrent’s segments and deletes them with it', async () => {
  const entry = await server.catalog.addLocalFile(await makeMedia('mkv-h264-aac', { seconds: 14 }));
  const base = `${server.url}/hls/${entry.infoHash}/0`;
  for (const part of ['video-copy/init.mp4', 'video-copy/0.m4s', 'audio0-copy/0.m4s']) {
    assert.equal((await fetch(`${base}/${part}`)).status, 200, part);
  }
  assert.ok(server.app.hls.bytesOf(entry.infoHash) > 0, 'segments are counted');
  assert.ok(existsSync(join(work, 'hls', entry.infoHash)));

  assert.equal(
    (await fetch(`${server.url}/api/torrents/${entry.infoHash}`, { method: 'DELETE' })).status,
    204,
  );
  assert.equal(server.app.hls.bytesOf(entry.infoHash), 0);
  assert.equal(existsSync(join(work, 'hls', entry.infoHash)), false, 'deleted with the torrent');
});

it('prunes the segments of torrents no longer listed', async () => {
  const listed = 'a'.repeat(40);
  const gone = 'b'.repeat(40);
  for (const dir of [listed, gone]) await mkdir(join(work, 'hls', dir, '0'), { recursive: true });
  await server.app.hls.prune(new Set([listed]));
  assert.deepEqual((await readdir(join(work, 'hls'))).sort(), [listed]);
});
