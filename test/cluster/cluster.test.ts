/**
 * `npm run cluster` end to end: 3 nodes behind the real nginx on loopback ports, seeded by webtorrent
 * seeders on 127.0.0.1. Through the front, the API and the streams work as on one node; each info-hash lives
 * on exactly one node, the one every request about it reaches; a node killed with SIGKILL costs only its own
 * torrents, which land on a live node when added again; SIGTERM leaves no process running; a restart on the
 * same folder gives every node its torrents back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ClusterRun, descendants, noNginx, ownTorrents, startClusterRun } from '../helpers/cluster.js';
import { ffprobe, makeMedia } from '../helpers/media.js';
import { alive } from '../helpers/processes.js';
import { type Seeder, startSeeder, startTracker, type Tracker } from '../helpers/swarm.js';
import { parseMaster, parseMedia } from '../hls/hls-client.js';

interface TorrentObject {
  infoHash: string;
  ready: boolean;
  files: Array<{ index: number; name: string; streamUrl: string; hlsUrl: string }>;
}

let work: string;
let tracker: Tracker;
let show: Seeder; // an MKV (remux, HLS) and its subtitle file
let clip: Seeder; // an MP4 (direct, Range)
let clipPath: string;
let torrentServer: Server;
let torrentUrl: string;
let cluster: ClusterRun;
/** Torrents without peers, added by info-hash: where they land shows the ring. */
const bare = Array.from({ length: 9 }, () => randomBytes(20).toString('hex'));
/** Which node held each torrent once added. */
let firstOwners: Map<string, number[]>;
let victim: number;

const post = (body: string | Buffer, type: string) =>
  fetch(`${cluster.url}/api/torrents`, { method: 'POST', headers: { 'content-type': type }, body });
const postSource = (source: string) => post(JSON.stringify({ source }), 'application/json');

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `${url}: ${response.status}`);
  return (await response.json()) as T;
}

async function waitReady(infoHash: string): Promise<TorrentObject> {
  // Polling is what a client does; the deadline only bounds a broken run.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const torrent = await getJson<TorrentObject>(`${cluster.url}/api/torrents/${infoHash}`);
    if (torrent.ready) return torrent;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${infoHash} never became ready`);
}

/** Which live nodes hold each info-hash, by their own lists. */
async function owners(): Promise<Map<string, number[]>> {
  const held = new Map<string, number[]>();
  for (const node of cluster.state.nodes) {
    if (!alive(node.pid)) continue;
    for (const infoHash of await ownTorrents(node.url)) {
      held.set(infoHash, [...(held.get(infoHash) ?? []), node.index]);
    }
  }
  return held;
}

async function addTwiceByBytes(expected: number): Promise<void> {
  const response = await post(show.torrentFile, 'application/x-bittorrent');
  assert.equal(response.status, expected, await response.clone().text());
  await response.arrayBuffer();
}

describe('npm run cluster: 3 nodes behind nginx', { skip: noNginx }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'streamtide-cluster-'));
    const showDir = join(work, 'content', 'Show');
    mkdirSync(showDir, { recursive: true });
    copyFileSync(await makeMedia('mkv-h264-aac', { seconds: 6 }), join(showDir, 'Episode.mkv'));
    writeFileSync(join(showDir, 'Episode.en.srt'), '1\n00:00:01,000 --> 00:00:02,000\nHello\n');
    clipPath = await makeMedia('mp4', { seconds: 4 });
    tracker = await startTracker();
    show = await startSeeder(showDir, { announce: [tracker.announceUrl] });
    clip = await startSeeder(clipPath, { announce: [tracker.announceUrl] });
    // A .torrent by URL: the node that takes the add fetches it, once.
    torrentServer = createServer((_request, response) => response.end(clip.torrentFile));
    await new Promise<void>((resolve) => torrentServer.listen(0, '127.0.0.1', resolve));
    const address = torrentServer.address();
    torrentUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/clip.torrent`;
    cluster = await startClusterRun(join(work, 'cluster'), 3);
  });

  after(async () => {
    if (cluster?.run.child.exitCode === null) await cluster.stop();
    await show?.close();
    await clip?.close();
    await tracker?.close();
    torrentServer?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('adds through the front: each torrent on exactly one node, which answers for it', async () => {
    await addTwiceByBytes(201);
    // Again, by magnet: the node that has it answers 200, wherever the add first arrived.
    const again = await postSource(show.magnet);
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as TorrentObject).infoHash, show.infoHash);
    const byUrl = await postSource(torrentUrl);
    assert.equal(byUrl.status, 201, await byUrl.clone().text());
    assert.equal(((await byUrl.json()) as TorrentObject).infoHash, clip.infoHash);
    for (const infoHash of bare) {
      const added = await postSource(infoHash);
      assert.equal(added.status, 201);
      await added.arrayBuffer();
    }

    // A node that passes an add on names its hash; a name that is not the source's is refused.
    const misnamed = await fetch(`${cluster.url}/api/torrents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-streamtide-route': bare[0] },
      body: JSON.stringify({ source: show.magnet }),
    });
    assert.equal(misnamed.status, 400);
    assert.match(((await misnamed.json()) as { error: string }).error, /x-streamtide-route/);

    const all = [show.infoHash, clip.infoHash, ...bare];
    const merged = await getJson<TorrentObject[]>(`${cluster.url}/api/torrents`);
    assert.deepEqual(merged.map((t) => t.infoHash).sort(), [...all].sort());
    firstOwners = await owners();
    for (const infoHash of all) {
      assert.equal(firstOwners.get(infoHash)?.length, 1, `${infoHash} on ${firstOwners.get(infoHash)}`);
    }
    assert.ok(new Set([...firstOwners.values()].flat()).size >= 2, 'the torrents spread over the nodes');
    for (const infoHash of all) {
      // Every request about it reaches its node, whatever case the URL uses; another node does not know it.
      assert.equal((await fetch(`${cluster.url}/api/torrents/${infoHash}`)).status, 200);
      assert.equal((await fetch(`${cluster.url}/api/torrents/${infoHash.toUpperCase()}`)).status, 200);
      const other = cluster.state.nodes.find((node) => node.index !== firstOwners.get(infoHash)![0])!;
      assert.equal((await fetch(`${other.url}/api/torrents/${infoHash}`)).status, 404);
    }
  });

  it('streams through the front as one node does: probe, remux, Range, HLS, subtitles, playlist', async () => {
    const torrent = await waitReady(show.infoHash);
    const mkv = torrent.files.find((f) => f.name === 'Episode.mkv')!;
    const srt = torrent.files.find((f) => f.name === 'Episode.en.srt')!;
    assert.equal(mkv.streamUrl, `${cluster.url}/stream/${show.infoHash}/${mkv.index}`);
    const probe = await getJson<{ plan: string }>(
      `${cluster.url}/api/torrents/${show.infoHash}/files/${mkv.index}/probe`,
    );
    assert.equal(probe.plan, 'remux');

    const remux = await fetch(mkv.streamUrl);
    assert.equal(remux.status, 200);
    assert.equal(remux.headers.get('x-stream-mode'), 'remux');
    const out = join(work, 'remux.mp4');
    writeFileSync(out, Buffer.from(await remux.arrayBuffer()));
    assert.deepEqual(
      (await ffprobe(out)).streams.map((s) => s.codec_name),
      ['h264', 'aac'],
    );

    const vtt = await fetch(`${cluster.url}/subtitles/${show.infoHash}/${srt.index}.vtt`);
    assert.equal(vtt.status, 200);
    assert.match(await vtt.text(), /Hello/);

    const master = await fetch(mkv.hlsUrl);
    assert.equal(master.status, 200);
    const mediaUrl = new URL(parseMaster(await master.text()).variantUri, mkv.hlsUrl);
    const media = parseMedia(await (await fetch(mediaUrl)).text());
    const init = await fetch(new URL(media.map, mediaUrl));
    assert.equal(init.status, 200);
    assert.ok((await init.arrayBuffer()).byteLength > 0);
    const segment = await fetch(new URL(media.segments[1], mediaUrl));
    assert.equal(segment.status, 200);
    assert.ok((await segment.arrayBuffer()).byteLength > 0);

    const clipTorrent = await waitReady(clip.infoHash);
    const whole = readFileSync(clipPath);
    const range = await fetch(clipTorrent.files[0].streamUrl, { headers: { range: 'bytes=100-1099' } });
    assert.equal(range.status, 206);
    assert.equal(range.headers.get('content-range'), `bytes 100-1099/${whole.length}`);
    assert.deepEqual(Buffer.from(await range.arrayBuffer()), whole.subarray(100, 1100));

    const playlist = await fetch(`${cluster.url}/playlist/${clip.infoHash}.m3u`);
    assert.equal(playlist.status, 200);
    assert.ok((await playlist.text()).includes(`${cluster.url}/stream/${clip.infoHash}/0?mode=direct`));
  });

  it('deletes through the front', async () => {
    const gone = bare.pop()!;
    const response = await fetch(`${cluster.url}/api/torrents/${gone}`, { method: 'DELETE' });
    assert.equal(response.status, 204);
    assert.equal((await owners()).has(gone), false);
    const merged = await getJson<TorrentObject[]>(`${cluster.url}/api/torrents`);
    assert.equal(
      merged.some((t) => t.infoHash === gone),
      false,
    );
  });

  it('survives a node killed with SIGKILL: the others serve, its torrent lands on a live node', async () => {
    victim = firstOwners.get(show.infoHash)![0];
    const { pid } = cluster.state.nodes[victim - 1];
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));

    const survivors = [clip.infoHash, ...bare].filter((infoHash) => firstOwners.get(infoHash)![0] !== victim);
    const merged = await fetch(`${cluster.url}/api/torrents`);
    assert.equal(merged.status, 200);
    assert.equal(merged.headers.get('x-streamtide-missing-nodes'), '1');
    const listed = ((await merged.json()) as TorrentObject[]).map((t) => t.infoHash);
    assert.deepEqual([...listed].sort(), [...survivors].sort());
    for (const infoHash of survivors) {
      assert.equal((await fetch(`${cluster.url}/api/torrents/${infoHash}`)).status, 200);
    }

    await addTwiceByBytes(201);
    const now = (await owners()).get(show.infoHash);
    assert.equal(now?.length, 1);
    assert.notEqual(now![0], victim);
    const torrent = await waitReady(show.infoHash);
    const mkv = torrent.files.find((f) => f.name === 'Episode.mkv')!;
    const probe = await getJson<{ plan: string }>(
      `${cluster.url}/api/torrents/${show.infoHash}/files/${mkv.index}/probe`,
    );
    assert.equal(probe.plan, 'remux');
    // The same live node again: the ring holds while the victim stays out.
    await addTwiceByBytes(200);
  });

  it('stops every process it started on SIGTERM and exits 0', async () => {
    const started = descendants(cluster.pid);
    assert.ok(started.some((p) => p.name === 'nginx'));
    assert.equal(started.filter((p) => p.name === 'node').length, 2);
    const exit = await cluster.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.deepEqual(
      started.filter((p) => alive(p.pid)),
      [],
    );
  });

  it('gives every node its own torrents back when started again on the same folder', async () => {
    cluster = await startClusterRun(join(work, 'cluster'), 3, Number(new URL(cluster.url).port));
    const held = await owners();
    for (const infoHash of [clip.infoHash, ...bare]) {
      assert.deepEqual(held.get(infoHash), firstOwners.get(infoHash), infoHash);
      assert.equal((await fetch(`${cluster.url}/api/torrents/${infoHash}`)).status, 200);
    }
    // Its owner has the MKV again, and so does the node that took it in the meantime: listed once.
    assert.ok(held.get(show.infoHash)?.includes(victim));
    const merged = await getJson<TorrentObject[]>(`${cluster.url}/api/torrents`);
    assert.equal(merged.filter((t) => t.infoHash === show.infoHash).length, 1);
    assert.equal(merged.length, bare.length + 2);
    assert.deepEqual(await cluster.stop(), { code: 0, signal: null });
  });
});
