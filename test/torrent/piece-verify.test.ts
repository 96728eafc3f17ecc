/**
 * Pieces verified off the event loop: sha1Matches, and the contract of the adapter's verifyPiecesWith with the
 * installed webtorrent — every piece, downloaded or found on disk, is decided by the check given; a piece it
 * rejects is dropped and downloaded again with webtorrent's own warning; the bytes stored are the file's. With
 * streamtide's file store, a downloaded piece is written from one buffer (its blocks copied there as they
 * come, the buffers used again), and a piece read corrupt from disk at start (and so held in webtorrent's read
 * cache) reads back as downloaded. A rejected piece is reported with its blocks and their senders. A waited piece that passed is
 * readable through the torrent's store while its write is still under way.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type WebTorrent from 'webtorrent';
import type { Torrent } from 'webtorrent';
import { FileStore, fileStore } from '../../src/torrent/file-store.js';
import { sha1Digest, sha1Matches } from '../../src/torrent/piece-verify.js';
import {
  onPieceReadable,
  onPieceRejected,
  type PieceVerifier,
  startWithNothingStored,
  verifyPiecesWith,
} from '../../src/torrent/webtorrent-internals-verify.js';
import { addMemoryWebSeed, isolatedClient, type Seeder, startSeeder } from '../helpers/swarm.js';

const PIECE = 32 * 1024; // two blocks a piece: a piece completes from more than one request
const PIECES = 48;
const LENGTH = PIECES * PIECE - 1000; // a short last piece

let work: string;
let content: Buffer;
let seeder: Seeder;
const clients: WebTorrent[] = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-verify-'));
  content = randomBytes(LENGTH);
  mkdirSync(join(work, 'seed'));
  writeFileSync(join(work, 'seed', 'data.bin'), content);
  seeder = await startSeeder(join(work, 'seed', 'data.bin'), { pieceLength: PIECE });
});

after(async () => {
  for (const client of clients) await new Promise<void>((resolve) => client.destroy(() => resolve()));
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

/**
 * Adds the seeder's torrent into `dir` with `check` deciding its pieces (`waited` naming those a read waits
 * on) and streamtide's store when `store` is true, or the chunk store given; the seeder is dialled when `dial`.
 */
async function leech(
  dir: string,
  check: PieceVerifier,
  dial = true,
  store: boolean | object = false,
  waited?: (index: number) => boolean,
): Promise<Torrent> {
  const client = isolatedClient({ utp: false });
  clients.push(client);
  await once(client, 'listening');
  const chosen = store === true ? { store: fileStore(dir) } : store ? { store } : {};
  const torrent = client.add(seeder.torrentFile, { path: dir, announce: [], ...chosen });
  verifyPiecesWith(torrent, check, waited);
  if (dial) torrent.once('infoHash', () => torrent.addPeer(`127.0.0.1:${seeder.port}`));
  return torrent;
}

/**
 * A verifier that records the pieces it decided (by their expected hash) and then asks sha1Matches or
 * sha1Digest; `reject` may refuse one first.
 */
function recording(reject: (expected: string) => boolean = () => false): {
  check: PieceVerifier;
  decided: string[];
} {
  const decided: string[] = [];
  return {
    decided,
    check: {
      whole: (data, expected) => {
        decided.push(expected);
        return reject(expected) ? Promise.resolve(false) : sha1Matches(data, expected);
      },
      incremental: () => {
        const digest = sha1Digest();
        return {
          update: (block) => digest.update(block),
          matches: (expected) => {
            decided.push(expected);
            return reject(expected) ? Promise.resolve(false) : digest.matches(expected);
          },
        };
      },
    },
  };
}

const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');
const pieceHashes = () =>
  Array.from({ length: PIECES }, (_, i) => sha1(content.subarray(i * PIECE, (i + 1) * PIECE)));

describe('sha1Matches and sha1Digest', () => {
  it('say whether the data has the SHA-1 given, also for a view into a larger buffer', async () => {
    const data = randomBytes(100_000);
    const view = data.subarray(1234, 90_000);
    assert.equal(await sha1Matches(data, sha1(data)), true);
    assert.equal(await sha1Matches(view, sha1(view)), true);
    assert.equal(await sha1Matches(view, sha1(data)), false);
    assert.equal(await sha1Matches(data, ''), false);
    const inBlocks = (blocks: Uint8Array[], expected: string) => {
      const digest = sha1Digest();
      for (const block of blocks) digest.update(block);
      return digest.matches(expected);
    };
    assert.equal(await inBlocks([view.subarray(0, 16384), view.subarray(16384)], sha1(view)), true);
    assert.equal(await inBlocks([view.subarray(16384), view.subarray(0, 16384)], sha1(view)), false);
  });
});

describe('verifyPiecesWith', () => {
  it('decides every downloaded piece; the torrent completes with the bytes of the file', {
    timeout: 60_000,
  }, async () => {
    const { check, decided } = recording();
    const dir = join(work, 'download');
    const torrent = await leech(dir, check);
    const verified = new Set<number>();
    torrent.on('verified', (index: number) => verified.add(index));
    if (!torrent.done) await once(torrent, 'done');
    assert.equal(verified.size, PIECES);
    assert.deepEqual(new Set(decided), new Set(pieceHashes()), 'each piece went through the check');
    assert.ok(readFileSync(join(dir, 'data.bin')).equals(content));
  });

  it('drops a piece the check rejects, with webtorrent’s warning, and downloads it again', {
    timeout: 60_000,
  }, async () => {
    const bad = 7;
    const badHash = pieceHashes()[bad]!;
    let rejected = 0;
    // Its first two copies.
    const { check, decided } = recording((expected) => expected === badHash && rejected++ < 2);
    const dir = join(work, 'rejected');
    const torrent = await leech(dir, check);
    const warnings: string[] = [];
    torrent.on('warning', (err: Error) => warnings.push(err.message));
    const reports: Array<{ index: number; bytes: Buffer; offsets: number[]; senders: unknown[] }> = [];
    onPieceRejected(torrent, (index, blocks) => {
      const bytes = Buffer.concat(blocks.map((block) => block.data)); // a copy: the bytes are reused after
      reports.push({
        index,
        bytes,
        offsets: blocks.map((b) => b.offset),
        senders: blocks.map((b) => b.source),
      });
    });
    if (!torrent.done) await once(torrent, 'done');
    assert.equal(decided.filter((hash) => hash === badHash).length, 3, 'fetched and decided three times');
    assert.deepEqual(
      reports.map((report) => [report.index, report.offsets]),
      [
        [bad, [0, 16 * 1024]],
        [bad, [0, 16 * 1024]],
      ],
      'each rejected copy reported with its blocks',
    );
    for (const report of reports) {
      assert.ok(
        report.bytes.equals(content.subarray(bad * PIECE, (bad + 1) * PIECE)),
        'the bytes it was made of',
      );
      for (const sender of report.senders) {
        assert.equal(
          (sender as { remoteAddress?: string }).remoteAddress,
          '127.0.0.1',
          'the wire that sent it',
        );
      }
    }
    assert.deepEqual(
      warnings.filter((w) => /failed verification/.test(w)),
      [`Piece ${bad} failed verification`, `Piece ${bad} failed verification`],
    );
    assert.ok(torrent.bitfield?.get(bad));
    assert.ok(readFileSync(join(dir, 'data.bin')).equals(content));
  });

  it('decides the data found on disk at start: good pieces count as had, a corrupt one is fetched', {
    timeout: 60_000,
  }, async () => {
    const dir = join(work, 'on-disk');
    mkdirSync(dir);
    copyFileSync(join(work, 'seed', 'data.bin'), join(dir, 'data.bin'));
    const corrupt = 11;
    const onDisk = Buffer.from(content);
    onDisk[corrupt * PIECE + 5]! ^= 0xff;
    writeFileSync(join(dir, 'data.bin'), onDisk);

    const { check, decided } = recording();
    const torrent = await leech(dir, check, false);
    await once(torrent, 'ready');
    assert.deepEqual(new Set(decided), new Set(pieceHashes()), 'every piece on disk was decided');
    for (let i = 0; i < PIECES; i++) assert.equal(torrent.bitfield?.get(i), i !== corrupt, `piece ${i}`);
    assert.equal(torrent.done, false);

    torrent.addPeer(`127.0.0.1:${seeder.port}`);
    await once(torrent, 'done');
    assert.ok(readFileSync(join(dir, 'data.bin')).equals(content), 'the corrupt piece was downloaded');
  });

  it('with streamtide’s store: writes a piece from one buffer; a piece read corrupt at start reads back right', {
    timeout: 60_000,
  }, async () => {
    const dir = join(work, 'ours');
    mkdirSync(dir);
    const corrupt = PIECES - 3; // among the last read at start, still in webtorrent’s read cache (20 pieces)
    const onDisk = Buffer.from(content);
    onDisk[corrupt * PIECE + 100]! ^= 0xff;
    writeFileSync(join(dir, 'data.bin'), onDisk);
    const blockCounts: number[] = [];
    const putBlocks = FileStore.prototype.putBlocks;
    FileStore.prototype.putBlocks = function (this: FileStore, index, blocks, cb) {
      blockCounts.push(blocks.length);
      putBlocks.call(this, index, blocks, cb);
    };
    try {
      const torrent = await leech(dir, recording().check, false, true);
      await once(torrent, 'ready');
      assert.equal(torrent.bitfield?.get(corrupt), false);
      torrent.addPeer(`127.0.0.1:${seeder.port}`);
      await once(torrent, 'done');
      assert.deepEqual(blockCounts, [1], 'the one piece downloaded, its two blocks copied into one buffer');
      const store = torrent.store as unknown as FileStore;
      const piece = await new Promise<Uint8Array>((resolve, reject) =>
        store.get(corrupt, {}, (err, data) => (err ? reject(err) : resolve(data!))),
      );
      assert.ok(Buffer.from(piece).equals(content.subarray(corrupt * PIECE, (corrupt + 1) * PIECE)));
      assert.ok(readFileSync(join(dir, 'data.bin')).equals(content));
    } finally {
      FileStore.prototype.putBlocks = putBlocks;
    }
  });

  it('with streamtide’s store: pieces are written from a few buffers, each used again, and read back right', {
    timeout: 60_000,
  }, async () => {
    const dir = join(work, 'reused');
    const written = new Set<ArrayBufferLike>();
    let writes = 0;
    const putBlocks = FileStore.prototype.putBlocks;
    FileStore.prototype.putBlocks = function (this: FileStore, index, blocks, cb) {
      for (const block of blocks) written.add(block.buffer);
      writes++;
      putBlocks.call(this, index, blocks, cb);
    };
    try {
      const torrent = await leech(dir, recording().check, true, true);
      if (!torrent.done) await once(torrent, 'done');
      assert.equal(writes, PIECES);
      assert.ok(written.size < PIECES / 2, `${written.size} buffers for ${PIECES} pieces`);
      assert.ok(readFileSync(join(dir, 'data.bin')).equals(content));
    } finally {
      FileStore.prototype.putBlocks = putBlocks;
    }
  });

  it('with streamtide’s store and a web seed (a piece’s blocks in one chunk), downloads every byte right', {
    timeout: 60_000,
  }, async () => {
    const dir = join(work, 'web-seed');
    const torrent = await leech(dir, recording().check, false, true);
    if (!torrent.metadata) await once(torrent, 'metadata');
    const lengths = new Set<number>();
    addMemoryWebSeed(torrent, content, (_piece, _offset, length) => lengths.add(length));
    if (!torrent.done) await once(torrent, 'done');
    assert.ok(lengths.has(PIECE), 'whole pieces asked at once');
    assert.ok(readFileSync(join(dir, 'data.bin')).equals(content));
  });

  it('started with nothing stored, checks no piece against the store and downloads them all', {
    timeout: 60_000,
  }, async () => {
    const { check, decided } = recording();
    const dir = join(work, 'nothing-stored');
    const torrent = await leech(dir, check, false);
    startWithNothingStored(torrent);
    const got: number[] = [];
    const store = () => torrent.store!;
    torrent.once('metadata', () => {
      const get = store().get.bind(store());
      store().get = ((index: number, ...rest: unknown[]) => {
        got.push(index);
        return (get as (...args: unknown[]) => void)(index, ...rest);
      }) as typeof get;
    });
    await once(torrent, 'ready');
    assert.deepEqual(got, [], 'no piece was looked for');
    assert.deepEqual(decided, []);
    assert.equal(torrent.bitfield?.get(0), false);
    torrent.addPeer(`127.0.0.1:${seeder.port}`);
    await once(torrent, 'done');
    assert.ok(readFileSync(join(dir, 'data.bin')).equals(content));
  });

  it('tells of a waited piece that passed as soon as the store reads it back, before its write is done', {
    timeout: 60_000,
  }, async () => {
    // A chunk store in memory whose writes wait until released.
    const held: Array<() => void> = [];
    class HeldStore {
      readonly chunks: Uint8Array[] = [];
      constructor(readonly chunkLength: number) {}
      put(index: number, buf: Uint8Array, cb: (err: Error | null) => void) {
        held.push(() => {
          this.chunks[index] = buf;
          cb(null);
        });
      }
      get(index: number, opts: unknown, callback?: (err: Error | null, buf?: Uint8Array) => void) {
        const cb = callback ?? (opts as (err: Error | null, buf?: Uint8Array) => void);
        const range = typeof opts === 'object' && opts ? (opts as { offset?: number; length?: number }) : {};
        const chunk = this.chunks[index];
        if (!chunk) return queueMicrotask(() => cb(new Error('not written')));
        const offset = range.offset ?? 0;
        const end = offset + (range.length ?? chunk.length - offset);
        queueMicrotask(() => cb(null, chunk.subarray(offset, end)));
      }
      close(cb?: () => void) {
        if (cb) queueMicrotask(cb);
      }
      destroy(cb?: () => void) {
        if (cb) queueMicrotask(cb);
      }
    }
    const torrent = await leech(join(work, 'held'), recording().check, true, HeldStore, () => true);
    const [index] = await new Promise<[number]>((resolve) => {
      torrent.once('infoHash', () => {
        const stop = onPieceReadable(torrent, (piece) => {
          stop();
          resolve([piece]);
        });
      });
    });
    assert.equal(torrent.bitfield?.get(index), false, 'not marked verified before its write is done');
    const bytes = await new Promise<Uint8Array>((resolve, reject) =>
      torrent.store!.get(index, { offset: 0, length: 100 }, (err, buf) =>
        err ? reject(err) : resolve(buf!),
      ),
    );
    assert.deepEqual(Buffer.from(bytes), content.subarray(index * PIECE, index * PIECE + 100));
    for (const release of held.splice(0)) release();
    assert.equal(torrent.bitfield?.get(index), true, 'verified once written');
    torrent.destroy();
  });
});
