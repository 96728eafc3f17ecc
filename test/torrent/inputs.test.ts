/**
 * What users may hand the engine: every invalid input is a TorrentInputError with the right code and adds
 * nothing; a .torrent behind an http URL (and a redirect) is fetched; the path sanitiser and the eviction
 * plan on their own.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { planEviction } from '../../src/torrent/cache-cap.js';
import { type TorrentEngine, TorrentInputError } from '../../src/torrent/index.js';
import { confine, safeFilePaths, safeRelativePath } from '../../src/torrent/safe-path.js';
import { type Bencodable, bencode } from '../helpers/bencode.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

let work: string;
let engine: TorrentEngine;
let seeder: Seeder;
let http: Server;
let base: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-inputs-'));
  const path = join(work, 'small.bin');
  writeFileSync(path, randomBytes(100_000));
  seeder = await startSeeder(path);
  engine = await startTestEngine(join(work, 'dl'), { utp: false, tracker: false });
  http = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/good.torrent') return res.end(seeder.torrentFile);
    if (url === '/garbage') return res.end('<html>not a torrent</html>');
    if (url === '/missing') return res.writeHead(404).end();
    if (url === '/huge-declared')
      return res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) }).end();
    if (url === '/huge-streamed') {
      res.writeHead(200); // chunked, no length: the cap must count bytes as they come
      const chunk = Buffer.alloc(1024 * 1024, 0x64);
      let sent = 0;
      const pump = () => {
        while (sent < 20 && res.write(chunk)) sent++;
        if (sent >= 20) res.end();
        else res.once('drain', pump);
      };
      return pump();
    }
    if (url === '/redirect') return res.writeHead(302, { location: '/good.torrent' }).end();
    if (url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
    if (url === '/to-ftp') return res.writeHead(302, { location: 'ftp://127.0.0.1/x.torrent' }).end();
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

after(async () => {
  await engine?.destroy();
  await seeder?.close();
  http?.closeAllConnections();
  await new Promise((resolve) => http?.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

async function rejectsWith(
  input: string | Uint8Array,
  code: TorrentInputError['code'],
  message?: RegExp,
): Promise<void> {
  await assert.rejects(engine.add(input), (err: unknown) => {
    assert.ok(err instanceof TorrentInputError, `expected a TorrentInputError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.ok(err.message.length > 10);
    if (message) assert.match(err.message, message);
    assert.doesNotMatch(err.message, /Cannot read|undefined|is not a function/, 'no internal error text');
    assert.ok(!err.message.includes(work), `no server path in "${err.message}"`);
    return true;
  });
  assert.deepEqual(engine.list(), [], 'nothing was added');
}

describe('invalid inputs', () => {
  it('rejects bad magnets and hashes', { timeout: 60_000 }, async () => {
    await rejectsWith('magnet:?dn=no-hash', 'INVALID_SOURCE');
    await rejectsWith('magnet:?xt=urn:btih:zz', 'INVALID_SOURCE');
    await rejectsWith(`magnet:?xt=urn:btih:${'g'.repeat(40)}`, 'INVALID_SOURCE');
    await rejectsWith('abc123', 'INVALID_SOURCE');
    await rejectsWith('a'.repeat(39), 'INVALID_SOURCE');
    await rejectsWith('', 'INVALID_SOURCE');
  });

  it('rejects bytes that are not a usable .torrent', { timeout: 60_000 }, async () => {
    await rejectsWith(randomBytes(20), 'INVALID_SOURCE'); // parse-torrent would take 20 bytes for a hash
    await rejectsWith(randomBytes(5000), 'INVALID_SOURCE');
    await rejectsWith(Buffer.from('d4:infod4:name1:xee'), 'INVALID_SOURCE');
    await rejectsWith(seeder.torrentFile.subarray(0, seeder.torrentFile.length - 10), 'INVALID_SOURCE');
    const absurd = Buffer.from(
      seeder.torrentFile.toString('latin1').replace(/12:piece lengthi\d+e/, '12:piece lengthi0e'),
      'latin1',
    );
    await rejectsWith(absurd, 'INVALID_SOURCE');
  });

  it('rejects a .torrent that lists no files, or a file that is also a folder, saying so', async () => {
    const torrent = (files: Bencodable[]) => {
      const pieces = createHash('sha1').update(Buffer.alloc(10)).digest();
      return bencode({ info: { name: 'n', 'piece length': 16_384, pieces, files } });
    };
    await rejectsWith(torrent([]), 'INVALID_SOURCE', /no files/);
    const clash = [
      { length: 5, path: ['x'] },
      { length: 5, path: ['x', 'y'] },
    ];
    await rejectsWith(torrent(clash), 'INVALID_SOURCE', /"n\/x".*both a file and a folder/);
    // Sanitising can make the clash (a "?" becomes "_"): the names the store would write are what count.
    const sanitised = [
      { length: 5, path: ['a?', 'b'] },
      { length: 5, path: ['a_'] },
    ];
    await rejectsWith(torrent(sanitised), 'INVALID_SOURCE', /both a file and a folder/);
    const pieces = createHash('sha1').update(Buffer.alloc(10)).digest();
    const notAList = bencode({ info: { name: 'n', 'piece length': 16_384, pieces, files: { x: 10 } } });
    await rejectsWith(notAList, 'INVALID_SOURCE', /malformed/);
  });

  it('rejects other URL schemes and failed fetches', { timeout: 60_000 }, async () => {
    await rejectsWith('ftp://127.0.0.1/x.torrent', 'UNSUPPORTED_SCHEME');
    await rejectsWith('file:///etc/passwd', 'UNSUPPORTED_SCHEME');
    await rejectsWith(`${base}/garbage`, 'INVALID_SOURCE');
    await rejectsWith(`${base}/missing`, 'FETCH_FAILED');
    await rejectsWith(`${base}/loop`, 'FETCH_FAILED');
    await rejectsWith(`${base}/to-ftp`, 'UNSUPPORTED_SCHEME');
    await rejectsWith(`${base}/huge-declared`, 'TOO_LARGE');
    await rejectsWith(`${base}/huge-streamed`, 'TOO_LARGE');
    await rejectsWith('http://127.0.0.1:1/nothing-listens.torrent', 'FETCH_FAILED');
  });
});

describe('valid inputs', () => {
  it('fetches a .torrent over http through a redirect, then knows it by every name', {
    timeout: 60_000,
  }, async () => {
    const added = await engine.add(`${base}/redirect`);
    assert.equal(added.created, true);
    assert.equal(added.entry.infoHash, seeder.infoHash);
    for (const again of [`${base}/good.torrent`, seeder.magnet, seeder.infoHash, seeder.torrentFile]) {
      const { entry, created } = await engine.add(again);
      assert.equal(created, false);
      assert.equal(entry.infoHash, seeder.infoHash);
    }
    const [a, b] = await Promise.all([
      engine.add('bb'.repeat(20)),
      engine.add(`magnet:?xt=urn:btih:${'BB'.repeat(20)}`),
    ]);
    assert.deepEqual(
      [a.created, b.created].sort(),
      [false, true],
      'concurrent adds of one torrent create it once',
    );
    assert.equal(engine.list().length, 2);
    assert.equal(await engine.remove('bb'.repeat(20)), true);
    assert.equal(await engine.remove(seeder.infoHash), true);
  });
});

describe('helpers', () => {
  it('sanitises torrent paths into plain relative ones', () => {
    assert.equal(safeRelativePath('../../x'), 'x');
    assert.equal(safeRelativePath('/abs/p'), 'abs/p');
    assert.equal(safeRelativePath('a\\..\\b'), 'a/b');
    assert.equal(safeRelativePath('a/./b/'), 'a/b');
    assert.equal(safeRelativePath('n\u0000ul:?*.mkv'), 'n_ul___.mkv');
    assert.equal(safeRelativePath('..'), '_');
    assert.equal(safeRelativePath(`${'é'.repeat(300)}.mkv`).endsWith('.mkv'), true);
    assert.ok(Buffer.byteLength(safeRelativePath('é'.repeat(300))) <= 200);
    assert.deepEqual(safeFilePaths(['a?', 'a*', 'b']), ['a_', 'a_~1', 'b']);
    // A file that is also a folder (a magnet's list comes too late to refuse): the file is renamed.
    assert.deepEqual(safeFilePaths(['n/x', 'n/x/y', 'n/x~0']), ['n/x~0~0', 'n/x/y', 'n/x~0']);
    assert.equal(confine('/data/t', 'a/b'), '/data/t/a/b');
    assert.throws(() => confine('/data/t', '../x'));
    assert.throws(() => confine('/data/t', '/etc/passwd'));
  });

  it('evicts the least recently used idle torrents until the cap holds', () => {
    const items = [
      { infoHash: 'old', bytes: 40, lastUsed: 1, evictable: true },
      { infoHash: 'busy', bytes: 40, lastUsed: 0, evictable: false },
      { infoHash: 'new', bytes: 40, lastUsed: 3, evictable: true },
      { infoHash: 'mid', bytes: 40, lastUsed: 2, evictable: true },
    ];
    assert.deepEqual(planEviction(items, 200), []);
    assert.deepEqual(planEviction(items, 100), ['old', 'mid']);
    assert.deepEqual(planEviction(items, 0), ['old', 'mid', 'new']);
  });
});
