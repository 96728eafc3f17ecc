/**
 * A peer that sends wrong data: a second seeder (on 127.0.0.2) whose store flips bytes in every third piece,
 * next to a slow honest seeder. Its pieces fail the hash and are fetched again, it is banned (its wires
 * dropped, its address refused), and the bytes streamed through the server equal the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { makeMedia } from '../helpers/media.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';
import { loopbackEngine, type PortSeeder, seedOnPort } from './support.js';

const PIECE = 16 * 1024;
const isBad = (piece: number) => piece % 3 === 1;

type StoreCallback = (err: Error | null, buf?: Buffer) => void;

/** An in-memory store holding `content`, serving every bad piece with one byte flipped. */
function lyingStore(content: Buffer) {
  return class LyingStore {
    constructor(readonly chunkLength: number) {}
    get(
      index: number,
      options: { offset?: number; length?: number } | null | StoreCallback,
      callback?: StoreCallback,
    ) {
      const opts = typeof options === 'function' ? null : options;
      const cb = (typeof options === 'function' ? options : callback)!;
      const piece = Buffer.from(content.subarray(index * this.chunkLength, (index + 1) * this.chunkLength));
      if (isBad(index)) piece[piece.length >> 1]! ^= 0xff;
      const offset = opts?.offset ?? 0;
      queueMicrotask(() =>
        cb(null, piece.subarray(offset, offset + (opts?.length ?? piece.length - offset))),
      );
    }
    put(_index: number, _buf: Buffer, cb?: (e: Error | null) => void) {
      queueMicrotask(() => cb?.(null));
    }
    close(cb?: (e: Error | null) => void) {
      queueMicrotask(() => cb?.(null));
    }
    destroy(cb?: (e: Error | null) => void) {
      queueMicrotask(() => cb?.(null));
    }
  };
}

let work: string;
let good: PortSeeder;
let bad: PortSeeder;
let engine: TorrentEngine;
let server: TestServer;
let content: Buffer;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-corrupt-'));
  const mp4 = await makeMedia('mp4', { seconds: 10, size: '320x240', dir: work, name: 'Honest' });
  content = readFileSync(mp4);
  good = await seedOnPort(mp4, { pieceLength: PIECE, uploadLimit: 150_000 });
  bad = await seedOnPort(mp4, { torrent: good.torrent.torrentFile, store: lyingStore(content) });
  engine = await loopbackEngine(join(work, 'dl'), { utp: false });
  server = await startTestServer({ torrents: engine });
});

after(async () => {
  await server?.close();
  await engine?.destroy();
  await good?.close();
  await bad?.close();
  rmSync(work, { recursive: true, force: true });
});

it('refetches pieces that fail the hash, bans the peer that sent them, streams the exact bytes', {
  timeout: 50_000,
}, async () => {
  const infoHash = good.torrent.infoHash;
  const badAddress = `127.0.0.2:${bad.port}`;
  const magnet = `magnet:?xt=urn:btih:${infoHash}&x.pe=${badAddress}&x.pe=127.0.0.1:${good.port}`;
  const { entry } = await engine.add(magnet);
  const torrent = engine.torrent(entry.infoHash)!;
  const failed = new Set<number>();
  torrent.on('warning', (err: Error) => {
    const piece = /Piece (\d+) failed verification/.exec(err.message)?.[1];
    if (piece !== undefined) failed.add(Number(piece));
  });
  await engine.waitForMetadata(infoHash);

  const response = await fetch(`${server.url}/stream/${infoHash}/0?mode=direct`);
  assert.equal(response.status, 200);
  const body = await bodyBytes(response);
  assert.equal(body.length, content.length);
  assert.ok(body.equals(content), 'the streamed bytes equal the file');

  assert.ok(failed.size > 0, 'the lying peer was asked for pieces');
  assert.ok([...failed].every(isBad), `only bad pieces failed: ${[...failed].join(',')}`);
  assert.deepEqual(
    engine.bannedPeers().map((ban) => ban.host),
    ['127.0.0.2'],
  );
  assert.match(engine.bannedPeers()[0]!.reason, /failed the hash/);
  assert.ok(
    torrent.wires.every((wire) => wire.remoteAddress !== '127.0.0.2'),
    'its wire was dropped',
  );
  assert.equal(torrent.addPeer(badAddress), false, 'its address is refused');
  assert.ok(
    torrent.wires.some((wire) => wire.remoteAddress === '127.0.0.1'),
    'the honest seeder stays',
  );
});
