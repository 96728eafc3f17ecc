/**
 * A remux request for a torrent whose metadata is not in yet starts a spare FFmpeg at once, on the
 * likeliest plan (spare-ffmpeg.ts): the stream that follows plays from it when the file is an MKV whose
 * header agrees, plays as planned otherwise, and nothing is left running when the request goes away first.
 * Real server, real webtorrent seeders on 127.0.0.1; the peer is given only once the request waits.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { ffprobe, makeMedia } from '../helpers/media.js';
import { childProcessesSoon, ffmpegChildrenGone } from '../helpers/processes.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

describe('a cold remux request', () => {
  let work: string;
  let mkv: Seeder;
  let mp4: Seeder;
  let engine: TorrentEngine;
  let server: TestServer;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'streamtide-cold-spare-'));
    mkv = await startSeeder(await makeMedia('mkv-h264-aac', { seconds: 4 }));
    mp4 = await startSeeder(await makeMedia('mp4', { seconds: 4 }));
    engine = await startTestEngine(join(work, 'downloads'));
    server = await startTestServer({ torrents: engine });
  });
  after(async () => {
    await server?.close();
    await engine?.destroy();
    await mkv?.close();
    await mp4?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Adds the seeder's magnet without a peer; resolves once a stream request waits for its metadata. */
  async function addCold(seeder: Seeder): Promise<{ waiting: Promise<void> }> {
    const added = await fetch(`${server.url}/api/torrents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ source: `magnet:?xt=urn:btih:${seeder.infoHash}` }),
    });
    assert.equal(added.status, 201);
    const { catalog } = server;
    const file = catalog.file.bind(catalog);
    const waiting = new Promise<void>((resolve) => {
      catalog.file = (...args) => {
        catalog.file = file;
        resolve();
        return file(...args);
      };
    });
    return { waiting };
  }

  it('starts FFmpeg before the metadata, and the MKV streams from it', async () => {
    const { waiting } = await addCold(mkv);
    const response = fetch(`${server.url}/stream/${mkv.infoHash}/0?mode=remux`);
    await waiting;
    const spare = await childProcessesSoon();
    assert.equal(spare.length, 1, 'one FFmpeg, started while the metadata is still to come');
    engine.addPeer(mkv.infoHash, `127.0.0.1:${mkv.port}`);
    const cold = await response;
    assert.equal(cold.status, 200);
    assert.equal(cold.headers.get('x-stream-mode'), 'remux');
    const probed = await ffprobe(Buffer.from(await bodyBytes(cold)));
    assert.deepEqual(
      probed.streams.map((s) => [s.codec_type, s.codec_name]),
      [
        ['video', 'h264'],
        ['audio', 'aac'],
      ],
    );
    assert.ok(Math.abs(Number(probed.format.duration) - 4) < 0.2, `duration ${probed.format.duration}`);
    assert.deepEqual(await ffmpegChildrenGone(), []);
  });

  it('an MP4 torrent stops the spare and streams as planned', async () => {
    const { waiting } = await addCold(mp4);
    const response = fetch(`${server.url}/stream/${mp4.infoHash}/0?mode=remux`);
    await waiting;
    const [spare] = await childProcessesSoon();
    assert.ok(spare);
    engine.addPeer(mp4.infoHash, `127.0.0.1:${mp4.port}`);
    const cold = await response;
    assert.equal(cold.status, 200);
    assert.equal(cold.headers.get('x-stream-mode'), 'remux');
    const probed = await ffprobe(Buffer.from(await bodyBytes(cold)));
    assert.ok(Math.abs(Number(probed.format.duration) - 4) < 0.2, `duration ${probed.format.duration}`);
    assert.deepEqual(await ffmpegChildrenGone(), []);
  });

  it('a request gone before the metadata leaves no FFmpeg behind', async () => {
    await server.catalog.remove(mkv.infoHash, { deleteFiles: true });
    const { waiting } = await addCold(mkv);
    const abort = new AbortController();
    const response = fetch(`${server.url}/stream/${mkv.infoHash}/0?mode=remux`, { signal: abort.signal });
    response.catch(() => undefined);
    await waiting;
    assert.equal((await childProcessesSoon()).length, 1);
    abort.abort();
    assert.deepEqual(await ffmpegChildrenGone(), [], 'the spare stopped with the request');
  });
});
