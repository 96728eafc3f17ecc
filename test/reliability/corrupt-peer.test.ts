/**
 * A peer that sends wrong data: a second seeder (on 127.0.0.2) that flips a byte in every third piece,
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
import { lieAbout } from '../helpers/swarm.js';
import { loopbackEngine, type PortSeeder, seedOnPort } from './support.js';

const PIECE = 16 * 1024;
const isBad = (piece: number) => piece % 3 === 1;

let work: string;
let good: PortSeeder;
let bad: PortSeeder;
let engine: TorrentEngine;
let server: TestServer;
let content: Buffer;
/** Aborted should the honest seeder be banned: the stream could then never end, and the test says why. */
const honestBanned = new AbortController();

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-corrupt-'));
  const mp4 = await makeMedia('mp4', { seconds: 10, size: '320x240', dir: work, name: 'Honest' });
  content = readFileSync(mp4);
  good = await seedOnPort(mp4, { pieceLength: PIECE, uploadLimit: 150_000 });
  bad = await seedOnPort(mp4, { pieceLength: PIECE });
  assert.equal(bad.torrent.infoHash, good.torrent.infoHash);
  lieAbout(bad, isBad);
  engine = await loopbackEngine(join(work, 'dl'), {
    utp: false,
    onWarning: (message) => {
      if (/^banned peer 127\.0\.0\.1:/.test(message)) honestBanned.abort(new Error(message));
    },
  });
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

  const response = await fetch(`${server.url}/stream/${infoHash}/0?mode=direct`, {
    signal: honestBanned.signal,
  });
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
