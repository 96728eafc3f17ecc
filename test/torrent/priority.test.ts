/**
 * Streaming priority, observed as the order of webtorrent `verified` piece indexes (order, never time):
 * a read in the middle of a large file gets its pieces before most of the file, the file's tail comes early,
 * and a read at a new position jumps the queue at once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

const PIECE = 16 * 1024;
const SIZE = 24 * 1024 * 1024;
const PIECES = SIZE / PIECE;

let work: string;
let data: Buffer;
let seeder: Seeder;
let engine: TorrentEngine;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-priority-'));
  data = randomBytes(SIZE);
  const path = join(work, 'big.bin');
  writeFileSync(path, data);
  seeder = await startSeeder(path, { pieceLength: PIECE });
  // A slow seeder stretches the download so priorities have room to show (order is what we assert).
  seeder.client.throttleUpload(4 * 1024 * 1024);
  engine = await startTestEngine(join(work, 'dl'), { utp: false, tracker: false });
});

after(async () => {
  await engine?.destroy();
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Position of each piece in the verified order (Infinity: not verified yet). */
function rankOf(order: number[], from: number, to: number): number {
  let worst = -1;
  for (let piece = from; piece <= to; piece++) {
    const rank = order.indexOf(piece);
    if (rank < 0) return Number.POSITIVE_INFINITY;
    worst = Math.max(worst, rank);
  }
  return worst;
}

it('fetches the pieces under a read, the tail, then a new position first', { timeout: 60_000 }, async () => {
  const { entry } = await engine.add(seeder.torrentFile);
  await engine.waitForMetadata(entry.infoHash);
  const torrent = engine.torrent(entry.infoHash)!;
  const order: number[] = [];
  torrent.on('verified', (index: number) => order.push(index));
  const source = engine.open(entry.infoHash, 0)!;
  const reader = new AbortController();

  // The read is waiting before any peer exists, so the very first requests follow its priorities.
  const middle = SIZE / 2;
  const first = source.read(middle, 1024 * 1024, { signal: reader.signal });
  engine.addPeer(entry.infoHash, `127.0.0.1:${seeder.port}`);
  assert.ok((await first).equals(data.subarray(middle, middle + 1024 * 1024)));

  const readPieces = [middle / PIECE, (middle + 1024 * 1024) / PIECE - 1] as const;
  const readRank = rankOf(order, ...readPieces);
  assert.ok(
    readRank < PIECES / 8,
    `the read's pieces were verified among the first ${readRank + 1} of ${PIECES}`,
  );
  const early = order.slice(0, readRank + 1);
  assert.ok(
    early.filter((piece) => piece < readPieces[0]).length < early.length / 4,
    'the pieces before the read position wait',
  );

  // Jump to 3/4: its pieces arrive before the bulk of what is still missing.
  const jump = Math.floor((SIZE * 3) / 4 / PIECE) * PIECE + 1000;
  const missingBefore = PIECES - order.length;
  const mark = order.length;
  const second = await source.read(jump, 512 * 1024, { signal: reader.signal });
  assert.ok(second.equals(data.subarray(jump, jump + 512 * 1024)));
  const jumpPieces = [Math.floor(jump / PIECE), Math.floor((jump + 512 * 1024 - 1) / PIECE)] as const;
  const jumpRank = rankOf(order, ...jumpPieces) - mark;
  assert.ok(missingBefore > PIECES / 2, `most of the file was still missing (${missingBefore})`);
  assert.ok(
    jumpRank < missingBefore / 4,
    `the new position came within ${jumpRank + 1} of ${missingBefore} pieces`,
  );

  reader.abort();
  // The reader's window went with its signal; only the file's tail may still be raised.
  const internal = torrent as unknown as {
    _selections: { _items: Array<{ from: number; isStreamSelection: boolean }> };
  };
  const raised = internal._selections._items.filter((s) => s.isStreamSelection).map((s) => s.from);
  assert.ok(
    raised.every((from) => from >= PIECES - 128),
    `stream selections left: ${raised}`,
  );
  // Everything else still downloads in the background, at low priority.
  await new Promise<void>((resolve) => (torrent.done ? resolve() : torrent.once('done', () => resolve())));
  // The tail was asked for after the first read: it came before most of the file's first half, which only
  // the background selection (sequential from piece 0) fetches.
  const tailRank = rankOf(order, PIECES - 64, PIECES - 1);
  const quarterRank = order.indexOf(PIECES / 4);
  assert.ok(
    tailRank < quarterRank,
    `the tail (at ${tailRank}) came before piece ${PIECES / 4} (at ${quarterRank})`,
  );
  assert.equal(new Set(order).size, PIECES);
  assert.deepEqual(engine.fileRanges(entry.infoHash, 0), [[0, SIZE]]);
});
