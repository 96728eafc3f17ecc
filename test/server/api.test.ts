/**
 * The API of docs/api.md end to end, written the way an outside script would use it: upload a .torrent of a
 * loopback swarm, poll until ready, probe, stream, seek, fetch the playlist, delete.
 */
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { decodedDuration, ffprobe, makeMedia } from '../helpers/media.js';
import { ffmpegChildrenGone } from '../helpers/processes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startSeeder, startTestEngine, startTracker } from '../helpers/swarm.js';

type Seeder = Awaited<ReturnType<typeof startSeeder>>;
type Tracker = Awaited<ReturnType<typeof startTracker>>;

interface TorrentObject {
  infoHash: string;
  name: string;
  ready: boolean;
  length: number;
  progress: number;
  downloadSpeed: number;
  uploadSpeed: number;
  numPeers: number;
  files: Array<{
    index: number;
    name: string;
    path: string;
    length: number;
    progress: number;
    mime: string;
    streamUrl: string;
  }>;
}

let tracker: Tracker;
let seeder: Seeder;
let engine: TorrentEngine;
let server: TestServer;
let downloads: string;
/** The seeded files as they are on disk: what direct answers must match byte for byte. */
let content: string;

const json = { 'Content-Type': 'application/json' };

/** RFC 4648 base32 of a hex info-hash: the 32-character form magnets may carry. */
function base32(hex: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...Buffer.from(hex, 'hex')].map((byte) => byte.toString(2).padStart(8, '0')).join('');
  return bits.replace(/.{5}/g, (five) => alphabet[Number.parseInt(five, 2)]!);
}

async function waitReady(infoHash: string): Promise<TorrentObject> {
  // Polling the API is what a client does (docs/api.md); the deadline only bounds a broken run.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const torrent = (await (await fetch(`${server.url}/api/torrents/${infoHash}`)).json()) as TorrentObject;
    if (torrent.ready) return torrent;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('torrent never became ready');
}

before(async () => {
  content = mkdtempSync(join(tmpdir(), 'streamtide-api-content-'));
  const folder = join(content, 'Show');
  mkdirSync(folder);
  copyFileSync(await makeMedia('mkv-h264-aac', { seconds: 6 }), join(folder, 'Episode.mkv'));
  copyFileSync(await makeMedia('avi-mpeg4-mp3'), join(folder, 'Extra.avi'));
  writeFileSync(join(folder, 'Episode.en.srt'), '1\n00:00:01,000 --> 00:00:02,000\nHello\n');
  writeFileSync(join(folder, 'readme.txt'), 'not a video\n'.repeat(100));
  tracker = await startTracker();
  seeder = await startSeeder(folder, { announce: [tracker.announceUrl] });
  downloads = mkdtempSync(join(tmpdir(), 'streamtide-api-dl-'));
  engine = await startTestEngine(downloads);
  server = await startTestServer({ torrents: engine });
});

after(async () => {
  await server?.close();
  await engine?.destroy();
  await seeder?.close();
  await tracker?.close();
});

describe('a script written against docs/api.md', () => {
  let torrent: TorrentObject;

  it('uploads a .torrent (201), and again (200)', async () => {
    const add = () =>
      fetch(`${server.url}/api/torrents`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-bittorrent' },
        body: seeder.torrentFile,
      });
    const first = await add();
    assert.equal(first.status, 201);
    const created = (await first.json()) as TorrentObject;
    assert.equal(created.infoHash, seeder.infoHash);
    const second = await add();
    assert.equal(second.status, 200);
    await second.arrayBuffer();
    const byMagnet = await fetch(`${server.url}/api/torrents`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ source: seeder.magnet }),
    });
    assert.equal(byMagnet.status, 200);
    await byMagnet.arrayBuffer();
  });

  it('knows it by its 40-hex and 32-base32 info-hash too (200), and adds a new base32 hash as hex (201)', async () => {
    const add = (source: string) =>
      fetch(`${server.url}/api/torrents`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ source }),
      });
    for (const source of [seeder.infoHash, seeder.infoHash.toUpperCase(), base32(seeder.infoHash)]) {
      const again = await add(source);
      assert.equal(again.status, 200, source);
      assert.equal(((await again.json()) as TorrentObject).infoHash, seeder.infoHash, source);
    }
    const other = 'c0ffee00'.repeat(5);
    const created = await add(base32(other).toLowerCase());
    assert.equal(created.status, 201);
    assert.equal(((await created.json()) as TorrentObject).infoHash, other);
    const removed = await fetch(`${server.url}/api/torrents/${other}`, { method: 'DELETE' });
    assert.equal(removed.status, 204);
  });

  it('polls until ready and sees the files with their stream URLs', async () => {
    torrent = await waitReady(seeder.infoHash);
    assert.equal(torrent.name, 'Show');
    const names = torrent.files.map((f) => f.name).sort();
    assert.deepEqual(names, ['Episode.en.srt', 'Episode.mkv', 'Extra.avi', 'readme.txt']);
    for (const file of torrent.files) {
      assert.equal(file.streamUrl, `${server.url}/stream/${seeder.infoHash}/${file.index}`);
      assert.ok(!file.path.startsWith('/'));
    }
    assert.equal(torrent.files.find((f) => f.name === 'Episode.mkv')?.mime, 'video/x-matroska');
    const list = (await (await fetch(`${server.url}/api/torrents`)).json()) as TorrentObject[];
    assert.deepEqual(
      list.map((t) => t.infoHash),
      [seeder.infoHash],
    );
  });

  it('probes the MKV: remux, its streams, and the matching subtitle file', async () => {
    const mkv = torrent.files.find((f) => f.name === 'Episode.mkv')!;
    const response = await fetch(`${server.url}/api/torrents/${seeder.infoHash}/files/${mkv.index}/probe`);
    assert.equal(response.status, 200);
    const probe = (await response.json()) as {
      container: string;
      duration: number;
      plan: string;
      streams: Array<{ type: string; codec: string }>;
      subtitleFiles: Array<{ name: string; language: string }>;
    };
    assert.equal(probe.plan, 'remux');
    assert.equal(probe.container, 'matroska');
    assert.ok(Math.abs(probe.duration - 6) < 0.2);
    assert.deepEqual(
      probe.streams.map((s) => `${s.type}:${s.codec}`),
      ['video:h264', 'audio:aac'],
    );
    assert.deepEqual(
      probe.subtitleFiles.map((s) => [s.name, s.language]),
      [['Episode.en.srt', 'en']],
    );
  });

  it('answers 415 for the probe and stream of a text file', async () => {
    const txt = torrent.files.find((f) => f.name === 'readme.txt')!;
    const probe = await fetch(`${server.url}/api/torrents/${seeder.infoHash}/files/${txt.index}/probe`);
    assert.equal(probe.status, 415);
    const stream = await fetch(txt.streamUrl);
    assert.equal(stream.status, 415);
    assert.equal(typeof ((await stream.json()) as { error: string }).error, 'string');
  });

  it('streams the MKV as valid fragmented MP4 and seeks with t=', async () => {
    const mkv = torrent.files.find((f) => f.name === 'Episode.mkv')!;
    const whole = await fetch(mkv.streamUrl);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('x-stream-mode'), 'remux');
    const out = join(downloads, '..', `api-whole-${process.pid}.mp4`);
    writeFileSync(out, Buffer.from(await whole.arrayBuffer()));
    const probed = await ffprobe(out);
    assert.deepEqual(
      probed.streams.map((s) => s.codec_name),
      ['h264', 'aac'],
    );
    assert.ok(Math.abs((await decodedDuration(out)) - 6) < 0.5);

    const seek = await fetch(`${mkv.streamUrl}?t=3`);
    assert.equal(seek.status, 200);
    const seekOut = join(downloads, '..', `api-seek-${process.pid}.mp4`);
    writeFileSync(seekOut, Buffer.from(await seek.arrayBuffer()));
    const seconds = await decodedDuration(seekOut);
    assert.ok(seconds > 1.9 && seconds < 4.1, `seeked output lasts ${seconds}s`);
    assert.deepEqual(await ffmpegChildrenGone(), []);
  });

  it('shows where a live stream reads, and forgets it when the client leaves', async () => {
    const mkv = torrent.files.find((f) => f.name === 'Episode.mkv')!;
    const readers = async () => {
      const one = (await (await fetch(`${server.url}/api/torrents/${seeder.infoHash}`)).json()) as {
        files: Array<{ index: number; readers: number[] }>;
      };
      return one.files.find((f) => f.index === mkv.index)!.readers;
    };
    const controller = new AbortController();
    // A slow client: FFmpeg's output backs up, so it is still reading when we look. A seek, since a
    // stream of a whole downloaded file from its start gives FFmpeg the file itself, which no reader tracks.
    const response = await fetch(`${mkv.streamUrl}?mode=transcode&t=1`, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    const during = await readers();
    // FFmpeg reads a seek through the seekable input, often over a few connections: one reader each.
    assert.ok(during.length >= 1, JSON.stringify(during));
    for (const offset of during) assert.ok(offset >= 0 && offset < mkv.length);
    controller.abort();
    await reader.cancel().catch(() => undefined);
    const deadline = Date.now() + 5000;
    while ((await readers()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await readers(), []);
    assert.deepEqual(await ffmpegChildrenGone(), []);
  });

  it('serves the playlist of video files with direct URLs that answer Range with the original bytes', async () => {
    const response = await fetch(`${server.url}/playlist/${seeder.infoHash}.m3u`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /mpegurl/);
    const lines = (await response.text()).trim().split('\n');
    assert.equal(lines[0], '#EXTM3U');
    const urls = lines.filter((line) => line.startsWith('http'));
    const videos = torrent.files.filter((f) => /\.(mkv|avi)$/.test(f.name));
    assert.deepEqual(urls.sort(), videos.map((f) => `${f.streamUrl}?mode=direct`).sort());
    for (const file of videos) {
      const original = readFileSync(join(content, file.path));
      const part = await fetch(`${file.streamUrl}?mode=direct`, { headers: { range: 'bytes=1000-4999' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 1000-4999/${original.length}`);
      assert.ok(Buffer.from(await part.arrayBuffer()).equals(original.subarray(1000, 5000)), file.name);
    }
  });

  it('answers HEAD on a remux without claiming a length it does not know', async () => {
    const mkv = torrent.files.find((f) => f.name === 'Episode.mkv')!;
    // Raw node http: fetch hides what was on the wire, and Fastify could add Content-Length by itself.
    const url = new URL(mkv.streamUrl);
    const head = await new Promise<IncomingMessage>((resolve, reject) => {
      request({ host: url.hostname, port: url.port, path: url.pathname, method: 'HEAD' }, resolve)
        .on('error', reject)
        .end();
    });
    head.resume();
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['x-stream-mode'], 'remux');
    assert.equal(head.headers['content-type'], 'video/mp4');
    assert.equal(head.headers['content-length'], undefined);
    // No framing claim at all: a HEAD has no body to frame, and a GET of it is chunked.
    assert.equal(head.headers['transfer-encoding'], undefined);
    assert.deepEqual(await ffmpegChildrenGone(), []);
  });

  it('deletes the torrent and its data', async () => {
    const response = await fetch(`${server.url}/api/torrents/${seeder.infoHash}?deleteFiles=true`, {
      method: 'DELETE',
    });
    assert.equal(response.status, 204);
    const gone = await fetch(`${server.url}/api/torrents/${seeder.infoHash}`);
    assert.equal(gone.status, 404);
    await gone.arrayBuffer();
    const leftovers = readdirSync(downloads, { recursive: true }).map(String);
    assert.ok(!leftovers.some((name) => name.endsWith('Episode.mkv')), leftovers.join(', '));
    assert.ok(!existsSync(join(downloads, 'Show', 'Episode.mkv')));
  });
});

describe('invalid requests answer 4xx with an error', () => {
  const cases: Array<[string, RequestInit & { path?: string }, number]> = [
    [
      'garbage .torrent bytes',
      { method: 'POST', headers: { 'Content-Type': 'application/x-bittorrent' }, body: 'd8:announce' },
      400,
    ],
    [
      'a bad magnet',
      { method: 'POST', headers: json, body: JSON.stringify({ source: 'magnet:?xt=urn:btih:xyz' }) },
      400,
    ],
    [
      'an ftp URL',
      { method: 'POST', headers: json, body: JSON.stringify({ source: 'ftp://example.test/a.torrent' }) },
      400,
    ],
    ['an empty object', { method: 'POST', headers: json, body: '{}' }, 400],
    [
      'extra fields',
      { method: 'POST', headers: json, body: JSON.stringify({ source: 'a'.repeat(40), x: 1 }) },
      400,
    ],
    ['broken JSON', { method: 'POST', headers: json, body: '{"source": ' }, 400],
    // The contract's "400 for anything invalid" includes a body of another type (as OpenAPI lists no 415).
    ['a body of another type', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' }, 400],
    [
      'bytes sent as octet-stream',
      { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: 'd8:announce' },
      400,
    ],
    [
      'a form upload',
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'source=x' },
      400,
    ],
    // Malformed is unknown: the contract's 404 for an unknown torrent or file.
    ['a non-hex info-hash in the path', { path: `/api/torrents/${'z'.repeat(40)}` }, 404],
    ['a short info-hash in the path', { path: '/api/torrents/xyz' }, 404],
    ['a malformed info-hash to stream', { path: '/stream/xyz/0' }, 404],
    ['a file index that is not a number', { path: `/stream/${'b'.repeat(40)}/abc` }, 404],
    ['an unknown torrent', { path: `/api/torrents/${'b'.repeat(40)}` }, 404],
    ['an unknown torrent to delete', { method: 'DELETE', path: `/api/torrents/${'b'.repeat(40)}` }, 404],
    ['an unknown playlist', { path: `/playlist/${'b'.repeat(40)}.m3u` }, 404],
    ['a huge file index', { path: `/stream/${'b'.repeat(40)}/99999999999` }, 404],
    ['a bad mode', { path: `/stream/${'b'.repeat(40)}/0?mode=fast` }, 400],
  ];
  for (const [what, init, status] of cases) {
    it(what, async () => {
      const response = await fetch(`${server.url}${init.path ?? '/api/torrents'}`, init);
      assert.equal(response.status, status);
      const body = (await response.json()) as { error?: unknown };
      assert.equal(typeof body.error, 'string');
    });
  }
});
