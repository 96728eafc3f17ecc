/**
 * A background read (bytes wanted for later, such as a container index) while a stream's read waits:
 * its pieces come beside the waiting read's instead of after the whole file. The seeder lacks the file's
 * last eighth, so the stream's read there waits throughout. Observed as the order of webtorrent `verified`
 * piece indexes (order, never time).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { type HeldPieces, holdBack } from '../helpers/held-pieces.js';
import { loopbackEngine, type PortSeeder, seedOnPort } from '../reliability/support.js';

const PIECE = 16 * 1024;
const SIZE = 24 * 1024 * 1024;
const PIECES = SIZE / PIECE;

let work: string;
let data: Buffer;
let seeder: PortSeeder;
let gate: HeldPieces;
let engine: TorrentEngine;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-background-read-'));
  data = randomBytes(SIZE);
  const path = join(work, 'big.bin');
  writeFileSync(path, data);
  // A slow seeder stretches the download so priorities have room to show (order is what we assert).
  seeder = await seedOnPort(path, { pieceLength: PIECE, uploadLimit: 4 * 1024 * 1024 });
  gate = holdBack(seeder, (SIZE * 7) / 8);
  engine = await loopbackEngine(join(work, 'dl'), { utp: false });
});

after(async () => {
  await engine?.destroy();
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

it('fetches a background read while a read waits', { timeout: 60_000 }, async () => {
  const { entry } = await engine.add(
    `magnet:?xt=urn:btih:${seeder.torrent.infoHash}&x.pe=127.0.0.1:${seeder.port}`,
  );
  await engine.waitForMetadata(entry.infoHash);
  const torrent = engine.torrent(entry.infoHash)!;
  const order: number[] = [];
  torrent.on('verified', (index: number) => order.push(index));
  const source = engine.open(entry.infoHash, 0)!;
  const player = new AbortController();

  // A read of pieces the seeder lacks: it waits all along, as a player's on a swarm that is behind.
  const waiting = source.read((SIZE * 7) / 8, 256 * 1024, { signal: player.signal });
  waiting.catch(() => undefined);
  const later = SIZE / 2;
  const background = await source.read(later, 4 * PIECE, { background: true });
  assert.ok(background.equals(data.subarray(later, later + 4 * PIECE)));
  const came = order.length;
  player.abort();
  gate.release();

  // It came long before the whole-file download (in order from piece 0) reaches the middle.
  assert.ok(came < PIECES / 4, `the background pieces came among the first ${came} of ${PIECES}`);
});
