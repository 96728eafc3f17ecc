/**
 * Pieces verified off the event loop: sha1Matches, and the contract of the adapter's verifyPiecesWith with the
 * installed webtorrent — every piece, downloaded or found on disk, is decided by the check given; a piece it
 * rejects is dropped and downloaded again with webtorrent's own warning; the bytes stored are the file's; a
 * piece that passed is readable through the torrent's store while its write is still under way.
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
import { pieceCheck, sha1Matches, URGENT_MAX_BYTES } from '../../src/torrent/piece-verify.js';
import {
  onPieceReadable,
  type PieceCheck,
  startWithNothingStored,
  verifyPiecesWith,
} from '../../src/torrent/webtorrent-internals-verify.js';
import { isolatedClient, type Seeder, startSeeder } from '../helpers/swarm.js';

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

/** Adds the seeder's torrent into `dir` with `check` deciding its pieces; the seeder is dialled when `dial`. */
async function leech(dir: string, check: PieceCheck, dial = true, store?: unknown): Promise<Torrent> {
  const client = isolatedClient({ utp: false });
  clients.push(client);
  await once(client, 'listening');
  const torrent = client.add(seeder.torrentFile, { path: dir, announce: [], ...(store ? { store } : {}) });
  verifyPiecesWith(torrent, check);
  if (dial) torrent.once('infoHash', () => torrent.addPeer(`127.0.0.1:${seeder.port}`));
  return torrent;
}

/** A check that records the pieces it decided (by their expected hash) and then asks sha1Matches. */
function recording(): { check: PieceCheck; decided: string[] } {
  const decided: string[] = [];
  return {
    decided,
    check: (data, expected) => {
      decided.push(expected);
      return sha1Matches(data, expected);
    },
  };
}

const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');
const pieceHashes = () =>
  Array.from({ length: PIECES }, (_, i) => sha1(content.subarray(i * PIECE, (i + 1) * PIECE)));

describe('sha1Matches', () => {
  it('says whether the data has the SHA-1 given, also for a view into a larger buffer', async () => {
    const data = randomBytes(100_000);
    const view = data.subarray(1234, 90_000);
    assert.equal(await sha1Matches(data, sha1(data)), true);
    assert.equal(await sha1Matches(view, sha1(view)), true);
    assert.equal(await sha1Matches(view, sha1(data)), false);
    assert.equal(await sha1Matches(data, ''), false);
  });
});

describe('pieceCheck', () => {
  it('decides a piece a read waits on as sha1Matches does, and any piece too large for the loop too', async () => {
    const data = randomBytes(100_000);
    const large = randomBytes(URGENT_MAX_BYTES + 1);
    const waited = new Set([3, 4]);
    const check = pieceCheck((index) => waited.has(index));
    for (const index of [3, 9]) {
      assert.equal(await check(data, sha1(data), index), true, `piece ${index}`);
      assert.equal(await check(data, sha1(large), index), false, `piece ${index}, another's hash`);
    }
    assert.equal(await check(large, sha1(large), 4), true);
    assert.equal(await check(data.subarray(1), sha1(data), 3), false);
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
    const decided: string[] = [];
    const check: PieceCheck = async (data, expected) => {
      decided.push(expected);
      if (expected === badHash && rejected++ < 2) return false; // its first two copies
      return sha1Matches(data, expected);
    };
    const dir = join(work, 'rejected');
    const torrent = await leech(dir, check);
    const warnings: string[] = [];
    torrent.on('warning', (err: Error) => warnings.push(err.message));
    if (!torrent.done) await once(torrent, 'done');
    assert.equal(decided.filter((hash) => hash === badHash).length, 3, 'fetched and decided three times');
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

  it('tells of a piece that passed as soon as the store reads it back, before its write is done', {
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
    const torrent = await leech(join(work, 'held'), sha1Matches, true, HeldStore);
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
