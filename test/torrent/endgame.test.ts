/**
 * Endgame for a waiting read, on a real swarm: the blocks a read waits on are held by a seeder that stalled,
 * and another seeder that has the piece idles (webtorrent would wait for the stalled one to time out). The
 * read completes from the other seeder, and the stalled one is told to cancel what it was asked. When the
 * other one lies, the piece that fails its hash is blamed on it, not on the stalled peer whose request its
 * copy answered.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { onPieceRejected } from '../../src/torrent/webtorrent-internals-verify.js';
import { lieAbout, type Seeder, stallAfter, startSeeder, startTestEngine } from '../helpers/swarm.js';

const BLOCK = 16 * 1024;
const PIECE = 2 * BLOCK;
const PIECES = 64;
const WAITED = 40;

let work: string;
let data: Buffer;
const seeders: Seeder[] = [];
let engine: TorrentEngine;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-endgame-'));
  data = randomBytes(PIECES * PIECE);
  const path = join(work, 'movie.bin');
  writeFileSync(path, data);
  for (let i = 0; i < 2; i++) seeders.push(await startSeeder(path, { pieceLength: PIECE }));
  engine = await startTestEngine(join(work, 'dl'), { utp: false, tracker: false });
});

after(async () => {
  await engine?.destroy();
  for (const seeder of seeders) await seeder.close();
  rmSync(work, { recursive: true, force: true });
});

/** The seeder says it has only `piece`: it has nothing else to be asked for. */
function holdOnly(seeder: Seeder, piece: number): void {
  const bitfield = (seeder.torrent as unknown as { bitfield: { set(i: number, v: boolean): void } }).bitfield;
  for (let i = 0; i < PIECES; i++) if (i !== piece) bitfield.set(i, false);
}

it('a read waiting on a stalled peer completes from another peer', { timeout: 60_000 }, async () => {
  const [slow, other] = seeders as [Seeder, Seeder];
  // It answers nothing: with the read waiting, the read's blocks are the first it is asked for (wire-start.ts).
  const stall = stallAfter(slow, 0);
  holdOnly(other, WAITED);
  const { entry } = await engine.add(slow.torrentFile);
  await engine.waitForMetadata(entry.infoHash);
  const torrent = engine.torrent(entry.infoHash)!;
  const source = engine.open(entry.infoHash, 0)!;
  const reader = new AbortController();
  const read = source.read(WAITED * PIECE, PIECE, { signal: reader.signal });

  const blocks = [`${WAITED}:0`, `${WAITED}:${BLOCK}`];
  engine.addPeer(entry.infoHash, `127.0.0.1:${slow.port}`);
  await stall.until(({ stalled }) => blocks.every((block) => stalled.includes(block)));
  engine.addPeer(entry.infoHash, `127.0.0.1:${other.port}`);

  assert.ok((await read).equals(data.subarray(WAITED * PIECE, (WAITED + 1) * PIECE)));
  // The other seeder sent the piece while the stalled one still held the requests, then was told to drop them.
  await stall.until(({ cancelled }) => blocks.every((block) => cancelled.includes(block)));
  assert.ok(
    torrent.wires.some((wire) => wire.remotePort === slow.port),
    'the stalled peer is still connected: it was not dropped for timing out',
  );
  reader.abort();
  source.close();
});

it('a copy that fails the hash is blamed on the peer that sent it', { timeout: 60_000 }, async () => {
  // A torrent of its own (another file name): the engine has the first one already.
  const path = join(work, 'blame.bin');
  writeFileSync(path, data);
  const seed = () => startSeeder(path, { pieceLength: PIECE });
  const [slow, liar] = [await seed(), await seed()];
  seeders.push(slow, liar);
  const stall = stallAfter(slow, 0);
  holdOnly(liar, WAITED);
  lieAbout(liar, () => true);
  const { entry } = await engine.add(slow.torrentFile);
  await engine.waitForMetadata(entry.infoHash);
  const torrent = engine.torrent(entry.infoHash)!;
  const blamed = new Promise<unknown[]>((resolve) =>
    onPieceRejected(torrent, (index, blocks) => {
      if (index === WAITED)
        resolve(blocks.map((b) => (b.source as { remoteAddress?: string }).remoteAddress));
    }),
  );
  const source = engine.open(entry.infoHash, 0)!;
  const reader = new AbortController();
  const read = source.read(WAITED * PIECE, PIECE, { signal: reader.signal }).catch(() => null);

  engine.addPeer(entry.infoHash, `127.0.0.1:${slow.port}`);
  await stall.until(({ stalled }) => [`${WAITED}:0`, `${WAITED}:${BLOCK}`].every((b) => stalled.includes(b)));
  // On another address, so that the blame tells the two apart.
  engine.addPeer(entry.infoHash, `127.0.0.2:${liar.port}`);
  assert.deepEqual(await blamed, ['127.0.0.2', '127.0.0.2'], 'both blocks came from the liar');
  reader.abort();
  await read;
  source.close();
});
