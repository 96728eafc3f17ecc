/**
 * streamtide (the real server over HTTP) against seeders that are not webtorrent: a swarm of one aria2c,
 * and a swarm of one transmission-daemon, each on its own 127.0.0.x address and named only by the magnet's
 * `x.pe`. Both pace metadata and choke their own way (transmission unchokes on a 10 s rechoke); the stream
 * must still start, and its bytes be the file's. Skipped, saying so, where the client is not installed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LastStart } from '../../src/catalog/start-ledger.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { ffprobe, makeMedia } from '../helpers/media.js';
import {
  hasAria2c,
  hasTransmission,
  makeTorrent,
  type RealSeeder,
  type RealSeederOptions,
  startAria2cSeeder,
  startTransmissionSeeder,
} from '../helpers/real-seeders.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';
import { startTestEngine } from '../helpers/swarm.js';

/** Reads `url` until its first media fragment (moof, then its mdat) is whole; the rest is left unread. */
async function firstFragment(url: string): Promise<{ boxes: string[]; bytes: Buffer; mode: string | null }> {
  const response = await fetch(url);
  assert.equal(
    response.status,
    200,
    await response
      .clone()
      .text()
      .catch(() => ''),
  );
  const reader = response.body!.getReader();
  let bytes = Buffer.alloc(0);
  const boxes: string[] = [];
  let offset = 0;
  try {
    for (;;) {
      while (offset + 8 <= bytes.length) {
        const size = bytes.readUInt32BE(offset);
        if (offset + size > bytes.length) break;
        boxes.push(bytes.toString('latin1', offset + 4, offset + 8));
        offset += size;
        if (boxes.at(-1) === 'mdat' && boxes.includes('moof')) {
          return { boxes, bytes: bytes.subarray(0, offset), mode: response.headers.get('x-stream-mode') };
        }
      }
      const { done, value } = await reader.read();
      assert.ok(!done, `the stream ended after ${boxes.join(', ')}`);
      bytes = Buffer.concat([bytes, value]);
    }
  } finally {
    await reader.cancel();
  }
}

const clients: Array<{
  name: string;
  host: string;
  available: boolean;
  start(options: RealSeederOptions): Promise<RealSeeder>;
}> = [
  { name: 'aria2c', host: '127.0.0.21', available: hasAria2c(), start: startAria2cSeeder },
  {
    name: 'transmission-daemon',
    host: '127.0.0.22',
    available: hasTransmission(),
    start: startTransmissionSeeder,
  },
];

let media: string;
before(async () => {
  // Noise: a few MB, so the stream needs pieces well past the first.
  media = await makeMedia('mkv-h264-noise', { seconds: 8 });
});

for (const client of clients) {
  const skip = client.available ? false : `${client.name} is not installed: the swarm needs it`;
  describe(`a swarm of one ${client.name} seeder`, { skip }, () => {
    let work: string;
    let file: Buffer;
    let magnet: string;
    let seeder: RealSeeder;
    let engine: TorrentEngine;
    let server: TestServer;

    before(async () => {
      work = mkdtempSync(join(tmpdir(), `streamtide-${client.name}-`));
      const data = join(work, 'seed');
      mkdirSync(data);
      const path = join(data, 'Film.mkv');
      await copyFile(media, path);
      file = readFileSync(path);
      const made = makeTorrent(path);
      seeder = await client.start({ torrent: made.torrent, dataDir: data, host: client.host });
      magnet = `${made.magnet}&x.pe=${seeder.peer}`;
      engine = await startTestEngine(join(work, 'downloads'));
      server = await startTestServer({ torrents: engine });
    });

    after(async () => {
      await server?.close();
      await engine?.destroy();
      await seeder?.stop();
      rmSync(work, { recursive: true, force: true });
    });

    it('gets the metadata and starts a remux from it: a valid first fragment', {
      timeout: 120_000,
    }, async () => {
      const added = await fetch(`${server.url}/api/torrents`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ source: magnet }),
      });
      assert.equal(added.status, 201);
      const { infoHash } = (await added.json()) as { infoHash: string };
      const fragment = await firstFragment(`${server.url}/stream/${infoHash}/0?mode=remux`);
      assert.equal(fragment.mode, 'remux');
      assert.deepEqual(fragment.boxes.slice(0, 2), ['ftyp', 'moov']);
      const probed = await ffprobe(fragment.bytes);
      assert.deepEqual(
        probed.streams.map((s) => s.codec_name),
        ['h264', 'aac'],
      );
      const torrent = (await (await fetch(`${server.url}/api/torrents/${infoHash}`)).json()) as {
        name: string;
        lastStart: LastStart;
      };
      assert.equal(torrent.name, 'Film.mkv', 'the metadata came from the seeder');
      assert.equal(torrent.lastStart.phases.added, 0, 'a cold start, counted from the add');
      assert.equal(typeof torrent.lastStart.phases.firstOut, 'number');
    });

    it('answers a direct Range with the file’s own bytes', { timeout: 120_000 }, async () => {
      const infoHash = /btih:([0-9a-f]{40})/.exec(magnet)![1];
      const from = 100_000;
      const response = await fetch(`${server.url}/stream/${infoHash}/0?mode=direct`, {
        headers: { Range: `bytes=${from}-` },
      });
      assert.equal(response.status, 206);
      assert.equal(response.headers.get('content-range'), `bytes ${from}-${file.length - 1}/${file.length}`);
      assert.ok((await bodyBytes(response)).equals(file.subarray(from)), 'the bytes are the file’s');
    });
  });
}
