/**
 * HLS of torrents still downloading, from a real webtorrent seeder on 127.0.0.1 capped to a slow rate:
 * a far segment (a seek into a film just added) is answered from the pieces around it, long before the
 * whole file is there; and two viewers watching the same file at once share the encoders — one FFmpeg
 * per rendition, however their requests interleave.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { makeMedia } from '../helpers/media.js';
import { ffmpegWrapper } from '../helpers/processes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { loopbackEngine, type PortSeeder, seedOnPort } from '../reliability/support.js';
import { HlsClient } from './hls-client.js';
import { assertContinuous, joined, packets } from './support.js';

let work: string;
let engine: TorrentEngine;
let server: TestServer;
let log: string;
const seeders: PortSeeder[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'streamtide-hls-torrent-'));
  log = join(work, 'ffmpeg.log');
  await writeFile(log, '');
  const real = await locateFfmpeg();
  // Logs every FFmpeg command line: what the viewers' test counts.
  const ffmpeg = ffmpegWrapper(
    join(work, 'ffmpeg'),
    real.ffmpeg,
    (q) => `echo "$*" >> '${log}'\nexec ${q} "$@"`,
  );
  engine = await loopbackEngine(join(work, 'downloads'));
  server = await startTestServer({
    torrents: engine,
    hlsCacheDir: join(work, 'hls'),
    tools: { ...real, ffmpeg },
  });
});
after(async () => {
  await server?.close();
  await engine?.destroy();
  for (const seeder of seeders) await seeder.close();
  await rm(work, { recursive: true, force: true });
});

/** Seeds `path` capped at `rate` bytes/s and adds it to the server by magnet; its info-hash. */
async function addSlowTorrent(path: string, rate: number): Promise<string> {
  const seeder = await seedOnPort(path, { pieceLength: 32 * 1024, uploadLimit: rate });
  seeders.push(seeder);
  const { infoHash } = seeder.torrent;
  await server.catalog.add(`magnet:?xt=urn:btih:${infoHash}&x.pe=127.0.0.1:${seeder.port}`);
  await engine.waitForMetadata(infoHash);
  return infoHash;
}

function progress(infoHash: string): number {
  return engine.get(infoHash)!.files[0]!.progress;
}

it('answers a far segment of a torrent long before the file is downloaded', { timeout: 90_000 }, async () => {
  const dir = join(work, 'far');
  const path = await makeMedia('mkv-h264-noise', { seconds: 40, size: '320x240', dir, name: 'Far' });
  const { size } = await stat(path);
  // 20 MB at 1 MB/s: what arrives first is what was asked for (and the torrent's readahead).
  const infoHash = await addSlowTorrent(path, Math.round(size / 20));
  const client = new HlsClient(`${server.url}/hls/${infoHash}/0/master.m3u8`);
  const master = await client.master();
  const video = await client.media(master.variantUri);
  const audio = await client.media(master.audios[0]!.URI!);
  const far = video.segments.length - 2;
  // As a player seeking on start: each rendition's init segment, then the segment.
  const [[init, segment], [, audioSegment]] = await Promise.all(
    [video, audio].map(async (p) => {
      const init = await client.bytes(p.map, p.url);
      return [init, await client.bytes(p.segments[far]!, p.url)];
    }),
  );
  const got = progress(infoHash);
  assert.ok(got < 0.6, `the far segments came with ${(got * 100).toFixed(0)} % of the file downloaded`);
  const list = await packets(await joined(work, 'far', init, [segment]));
  assert.ok(list[0]!.key, 'the segment starts on a keyframe');
  assertContinuous(list, 'the far segment');
  assert.ok(audioSegment.length > 0);
});

it('two viewers at once share one FFmpeg per rendition', { timeout: 90_000 }, async () => {
  const dir = join(work, 'shared');
  const path = await makeMedia('mkv-h264-bframes', { seconds: 24, size: '320x240', dir, name: 'Shared' });
  const infoHash = await addSlowTorrent(path, Math.round((await stat(path)).size / 8));
  await writeFile(log, '');
  let most = 0;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      most = Math.max(most, await server.app.hls.encoders(infoHash, 0));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  // Each viewer asks, like a player, for the playlists, both init segments, then segments in order,
  // video and audio side by side; the two start together.
  const view = async () => {
    const client = new HlsClient(`${server.url}/hls/${infoHash}/0/master.m3u8`);
    const master = await client.master();
    const playlists = await Promise.all(
      [master.variantUri, master.audios[0]!.URI!].map((u) => client.media(u)),
    );
    const streams = await Promise.all(
      playlists.map(async (p) => {
        const parts = [await client.bytes(p.map, p.url)];
        for (const uri of p.segments) parts.push(await client.bytes(uri, p.url));
        return parts;
      }),
    );
    return streams.map((parts) => Buffer.concat(parts));
  };
  const [first, second] = await Promise.all([view(), view()]);
  watching = false;
  await watcher;

  assert.deepEqual(first, second, 'both viewers got the same bytes');
  const runs = (await readFile(log, 'utf8')).split('\n').filter((l) => l.includes('-f mp4'));
  const perRendition = new Map<string, number>();
  for (const line of runs) {
    const map = /-map (\S+)/.exec(line)![1]!;
    perRendition.set(map, (perRendition.get(map) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(perRendition), { '0:0': 1, '0:1': 1 }, 'one FFmpeg per rendition');
  assert.ok(most <= 2, `at most two encoders ran at once (${most})`);
});
