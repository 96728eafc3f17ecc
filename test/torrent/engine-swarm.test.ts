/**
 * The engine against a real loopback swarm: a magnet with only a peer hint and a .torrent announced to a
 * local tracker both reach ready, and TorrentSource reads give exactly the seeded bytes. Also proves
 * webtorrent@3 runs on this Node (its engines field says 22).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebTorrent from 'webtorrent';
import type { DataSource } from '../../src/stream/data-source.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { ffprobe, makeMedia } from '../helpers/media.js';
import { type Seeder, startSeeder, startTestEngine, startTracker, type Tracker } from '../helpers/swarm.js';

let work: string;
let tracker: Tracker;
let mediaSeeder: Seeder;
let bytesSeeder: Seeder;
let mkvBytes: Buffer;
let randomData: Buffer;
const engines: TorrentEngine[] = [];

async function newEngine(name: string, extra: Partial<Parameters<typeof TorrentEngine.create>[0]> = {}) {
  const engine = await startTestEngine(join(work, name), { utp: false, ...extra });
  engines.push(engine);
  return engine;
}

async function readAll(source: DataSource, chunk = 256 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < source.size; offset += chunk) parts.push(await source.read(offset, chunk));
  return Buffer.concat(parts);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-torrent-'));
  const content = join(work, 'content');
  const mkv = await makeMedia('mkv-h264-aac', { seconds: 6, dir: content, name: 'Movie' });
  mkvBytes = readFileSync(mkv);
  randomData = randomBytes(3 * 1024 * 1024 + 12345);
  const dataPath = join(content, 'data.bin');
  writeFileSync(dataPath, randomData);
  tracker = await startTracker();
  mediaSeeder = await startSeeder(mkv, { pieceLength: 32 * 1024 });
  bytesSeeder = await startSeeder(dataPath, { announce: [tracker.announceUrl], pieceLength: 64 * 1024 });
});

after(async () => {
  for (const engine of engines) await engine.destroy();
  await mediaSeeder?.close();
  await bytesSeeder?.close();
  await tracker?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('TorrentEngine on a loopback swarm', () => {
  it('runs webtorrent@3 on this Node', () => {
    // webtorrent's engines field asks for Node 22; everything in this file runs it on the Node we have.
    assert.match(WebTorrent.VERSION, /^3\./);
    assert.ok(Number(process.versions.node.split('.')[0]) >= 20);
    assert.ok(mediaSeeder.port > 0);
  });

  it('reaches ready from a magnet with only a peer hint and reads the exact bytes', {
    timeout: 60_000,
  }, async () => {
    const engine = await newEngine('magnet', { tracker: false });
    const magnet = `magnet:?xt=urn:btih:${mediaSeeder.infoHash}&x.pe=127.0.0.1:${mediaSeeder.port}`;
    const { entry, created } = await engine.add(magnet);
    assert.equal(created, true);
    assert.equal(entry.infoHash, mediaSeeder.infoHash);
    assert.equal(entry.ready, false);
    assert.deepEqual(entry.files, []);
    const ready = await engine.waitForMetadata(entry.infoHash);
    assert.equal(ready.ready, true);
    assert.equal(ready.files.length, 1);
    assert.deepEqual(
      { name: ready.files[0]!.name, path: ready.files[0]!.path, mime: ready.files[0]!.mime },
      { name: 'Movie.mkv', path: 'Movie.mkv', mime: 'video/x-matroska' },
    );
    const source = engine.open(entry.infoHash, 0);
    assert.ok(source);
    assert.equal(source.size, mkvBytes.length);
    const data = await readAll(source);
    assert.ok(data.equals(mkvBytes), 'the streamed bytes equal the seeded file');
    const probed = await ffprobe(data);
    assert.match(probed.format.format_name, /matroska/);
    assert.deepEqual(probed.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    assert.deepEqual(engine.fileRanges(entry.infoHash, 0), [[0, mkvBytes.length]]);
    assert.equal(engine.get(entry.infoHash)?.files[0]?.progress, 1);
    assert.equal(engine.stallReason(entry.infoHash), null);
    assert.equal(engine.open(entry.infoHash, 1), undefined);
  });

  it('reaches ready from .torrent bytes through the local tracker, with range reads', {
    timeout: 60_000,
  }, async () => {
    const engine = await newEngine('bytes');
    const { entry, created } = await engine.add(bytesSeeder.torrentFile);
    assert.equal(created, true);
    const again = await engine.add(new Uint8Array(bytesSeeder.torrentFile));
    assert.equal(again.created, false);
    assert.equal(again.entry.infoHash, entry.infoHash);
    const byHash = await engine.add(entry.infoHash.toUpperCase());
    assert.equal(byHash.created, false);
    assert.equal(engine.list().length, 1);
    await engine.waitForMetadata(entry.infoHash);
    const source = engine.open(entry.infoHash, 0);
    assert.ok(source);
    const middle = 1_500_000;
    assert.ok((await source.read(middle, 100_000)).equals(randomData.subarray(middle, middle + 100_000)));
    assert.equal((await source.read(middle, 0)).length, 0);
    const size = randomData.length;
    assert.ok((await source.read(size - 10, 1000)).equals(randomData.subarray(size - 10)));
    assert.equal((await source.read(size, 10)).length, 0);
    assert.equal((await source.read(size + 5, 10)).length, 0);
    assert.ok((await readAll(source, 100_000)).equals(randomData));
    const entryNow = engine.get(entry.infoHash);
    assert.equal(entryNow?.progress, 1);
    assert.equal(entryNow?.length, size);
  });

  it('rejects a pending read when its signal aborts', { timeout: 60_000 }, async () => {
    const engine = await newEngine('abort', { tracker: false });
    // No peer: the read can only end by the abort.
    const orphan = await engine.add('cc'.repeat(20));
    assert.equal(engine.stallReason(orphan.entry.infoHash), 'fetching metadata');
    const { entry } = await engine.add(bytesSeeder.torrentFile);
    await engine.waitForMetadata(entry.infoHash);
    const source = engine.open(entry.infoHash, 0)!;
    const controller = new AbortController();
    const pending = source.read(0, 1000, { signal: controller.signal });
    assert.equal(engine.stallReason(entry.infoHash), 'no peers');
    controller.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    assert.equal(engine.stallReason(entry.infoHash), null);
  });
});
