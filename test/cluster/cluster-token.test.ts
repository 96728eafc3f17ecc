/**
 * `npm run cluster -- … -- --token T` through its front, as a browser and a player use one node: a session
 * opened through the front (its cookie) is good on every node, a play position put through the front is read
 * back through it, and the M3U's capability URLs play through it. Nodes share one capability secret, or a
 * browser would be logged out by every request nginx sends to another node.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ClusterRun, noNginx, startClusterRun } from '../helpers/cluster.js';
import { makeMedia } from '../helpers/media.js';
import { type Seeder, startSeeder } from '../helpers/swarm.js';

const token = 'cluster-token-test';
const auth = { authorization: `Bearer ${token}` };

describe('npm run cluster with a token, through its front', { skip: noNginx }, () => {
  let work: string;
  let seeder: Seeder;
  let video: string;
  let cluster: ClusterRun;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'streamtide-cluster-token-'));
    const folder = join(work, 'content', 'Clip');
    mkdirSync(folder, { recursive: true });
    video = join(folder, 'Clip.mp4');
    copyFileSync(await makeMedia('mp4', { seconds: 4 }), video);
    seeder = await startSeeder(folder);
    cluster = await startClusterRun(join(work, 'cluster'), 2, undefined, ['--token', token]);
    const added = await fetch(`${cluster.url}/api/torrents`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ source: seeder.magnet }),
    });
    assert.equal(added.status, 201, await added.clone().text());
    // Polling is what a client does; the deadline only bounds a broken run.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const torrent = await fetch(`${cluster.url}/api/torrents/${seeder.infoHash}`, { headers: auth });
      if (((await torrent.json()) as { ready: boolean }).ready) break;
      if (Date.now() > deadline) throw new Error('the torrent never got its metadata');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  after(async () => {
    if (cluster?.run.child.exitCode === null) await cluster.stop();
    await seeder?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('needs the token at the front, and a session opened there is good on every node', async () => {
    assert.equal((await fetch(`${cluster.url}/api/torrents`)).status, 401);
    const page = await fetch(`${cluster.url}/?token=${token}`);
    assert.equal(page.status, 200);
    const cookie = page.headers.get('set-cookie')?.split(';')[0];
    assert.ok(cookie, 'the page opened a session');
    // Each node directly: whichever one nginx sends the browser's next request to takes the cookie.
    for (const node of cluster.state.nodes) {
      const list = await fetch(`${node.url}/api/torrents`, { headers: { cookie } });
      assert.equal(list.status, 200, node.url);
      assert.deepEqual(
        ((await list.json()) as Array<{ infoHash: string }>).map((t) => t.infoHash),
        [seeder.infoHash],
      );
    }
  });

  it('keeps a play position put through the front', async () => {
    const url = `${cluster.url}/api/torrents/${seeder.infoHash}/files/0/position`;
    const put = await fetch(url, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ seconds: 2.5 }),
    });
    assert.equal(put.status, 200, await put.clone().text());
    const got = (await (await fetch(url, { headers: auth })).json()) as { seconds: number };
    assert.equal(got.seconds, 2.5);
  });

  it('hands out an M3U whose capability URLs play the original bytes through the front', async () => {
    const playlist = await fetch(`${cluster.url}/playlist/${seeder.infoHash}.m3u?token=${token}`);
    assert.equal(playlist.status, 200);
    const entry = (await playlist.text()).split('\n').find((line) => line.startsWith('http'))!;
    assert.match(entry, new RegExp(`^${cluster.url}/stream/${seeder.infoHash}/0\\?mode=direct&cap=`));
    assert.ok(!entry.includes(token), 'the token never goes into a playlist');
    const part = await fetch(entry, { headers: { range: 'bytes=100-1099' } });
    assert.equal(part.status, 206);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), readFileSync(video).subarray(100, 1100));
  });
});
