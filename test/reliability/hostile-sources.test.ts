/**
 * Hostile sources not covered by test/torrent/inputs.test.ts and test/server/hostile-input.test.ts: .torrent
 * URLs that redirect from a public host into loopback or private networks (SSRF), and .torrent files with
 * huge piece or file counts, long names or absurd sizes. Always a 4xx / TorrentInputError, never a crash,
 * nothing written outside the download folder; past the counts a 413, answered before anything parses
 * the file, with the event loop free.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { isPrivateAddress } from '../../src/torrent/address-policy.js';
import { type TorrentEngine, TorrentInputError } from '../../src/torrent/index.js';
import { parseInput } from '../../src/torrent/parse-input.js';
import { TORRENT_LIMITS } from '../../src/torrent/torrent-shape.js';
import { worstLoopDelayMs } from '../helpers/loop-delay.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { bencode, loopbackEngine, seedOnPort, waitFor } from './support.js';

let work: string;
let engine: TorrentEngine;
let server: TestServer;
/** Stands for a host on the internet: 127.0.0.2, counted as public by the classifier the tests inject. */
let publicHost: Server;
/** A service inside the network (127.0.0.1): what an SSRF would reach. */
let insideHost: Server;
let publicBase: string;
let insideBase: string;

function tinyTorrent(): Buffer {
  const piece = Buffer.alloc(16 * 1024, 1);
  return bencode({
    info: {
      name: 'tiny.bin',
      'piece length': piece.length,
      length: piece.length,
      pieces: Buffer.alloc(20, 3),
    },
  });
}

async function listen(server: Server, host: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  return `http://${host}:${typeof address === 'object' && address ? address.port : 0}`;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-hostile-src-'));
  engine = await loopbackEngine(join(work, 'dl'), { utp: false });
  server = await startTestServer({ torrents: engine });
  insideHost = createServer((_req, res) => res.end(tinyTorrent()));
  insideBase = await listen(insideHost, '127.0.0.1');
  const port = new URL(insideBase).port;
  const targets: Record<string, string> = {
    '/to-loopback': `http://127.0.0.1:${port}/x.torrent`,
    '/to-localhost': `http://localhost:${port}/x.torrent`,
    '/to-v6-loopback': `http://[::1]:${port}/x.torrent`,
    '/to-mapped': `http://[::ffff:127.0.0.1]:${port}/x.torrent`,
    '/to-metadata': 'http://169.254.169.254/latest/meta-data',
    '/to-decimal': `http://2130706433:${port}/x.torrent`,
  };
  publicHost = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/x.torrent') return res.end(tinyTorrent());
    if (url === '/to-public') return res.writeHead(302, { location: '/x.torrent' }).end();
    const target = targets[url];
    if (target) return res.writeHead(302, { location: target }).end();
    res.writeHead(404).end();
  });
  publicBase = await listen(publicHost, '127.0.0.2');
});

after(async () => {
  await server?.close();
  await engine?.destroy();
  for (const host of [publicHost, insideHost]) {
    host?.closeAllConnections();
    await new Promise((resolve) => host?.close(resolve));
  }
  rmSync(work, { recursive: true, force: true });
});

const testPolicy = (address: string) => address !== '127.0.0.2' && isPrivateAddress(address);

describe('the address classifier', () => {
  it('counts loopback, private, link-local and the like as non-public', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      '[::1]',
      'fe80::1',
      'fd00::1',
      'fc12:3456::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'not-an-address',
    ]) {
      assert.equal(isPrivateAddress(address), true, address);
    }
    for (const address of [
      '1.1.1.1',
      '8.8.8.8',
      '172.32.0.1',
      '192.169.0.1',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
    ]) {
      assert.equal(isPrivateAddress(address), false, address);
    }
  });

  it('never calls a random IPv4 address in 10/8, 127/8 or 192.168/16 public', () => {
    fc.assert(
      fc.property(fc.constantFrom(10, 127, 192), fc.nat(255), fc.nat(255), fc.nat(255), (a, b, c, d) => {
        const address = a === 192 ? `192.168.${c}.${d}` : `${a}.${b}.${c}.${d}`;
        assert.equal(isPrivateAddress(address), true, address);
      }),
    );
  });
});

describe('.torrent URLs that redirect into the network (SSRF)', () => {
  const refuses = async (path: string) => {
    await assert.rejects(parseInput(`${publicBase}${path}`, { isPrivate: testPolicy }), (err: unknown) => {
      assert.ok(err instanceof TorrentInputError, String(err));
      assert.equal(err.code, 'BLOCKED_REDIRECT', err.message);
      assert.match(err.message, /loopback or private address: refused/);
      return true;
    });
  };

  for (const path of [
    '/to-loopback',
    '/to-localhost',
    '/to-v6-loopback',
    '/to-mapped',
    '/to-metadata',
    '/to-decimal',
  ]) {
    it(`refuses a public host redirecting ${path}`, async () => refuses(path));
  }

  it('follows a public host redirecting to a public address', async () => {
    const parsed = await parseInput(`${publicBase}/to-public`, { isPrivate: testPolicy });
    assert.equal(parsed.torrentId instanceof Uint8Array, true);
  });

  it('lets a URL typed into the local network redirect within it (the user chose that network)', async () => {
    const parsed = await parseInput(`${publicBase}/to-loopback`);
    assert.equal(parsed.torrentId instanceof Uint8Array, true);
  });
});

describe('.torrent files with huge piece counts and sizes', () => {
  const post = (bytes: Buffer) =>
    fetch(`${server.url}/api/torrents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-bittorrent' },
      body: bytes,
    });
  const torrentOf = (info: Record<string, number | Buffer | string>) =>
    bencode({ info: { name: 'huge.bin', ...info } });

  it('answers 4xx with an error to piece counts and sizes that do not add up or exceed the caps', async () => {
    const cases: Array<[string, Buffer]> = [
      [
        'more pieces than the length needs',
        torrentOf({ 'piece length': 16384, length: 16384, pieces: Buffer.alloc(20 * 1000) }),
      ],
      [
        'a length far beyond its pieces',
        torrentOf({ 'piece length': 16384, length: 2 ** 52, pieces: Buffer.alloc(20) }),
      ],
      [
        'a 4 GiB piece length',
        torrentOf({ 'piece length': 2 ** 32, length: 2 ** 32, pieces: Buffer.alloc(20) }),
      ],
      ['a negative length', torrentOf({ 'piece length': 16384, length: -5, pieces: Buffer.alloc(20) })],
      [
        'a ragged pieces string',
        torrentOf({ 'piece length': 16384, length: 16384, pieces: Buffer.alloc(19) }),
      ],
      [
        '600 000 pieces (12 MB of hashes)',
        torrentOf({ 'piece length': 16384, length: 16384 * 600_000, pieces: Buffer.alloc(20 * 600_000) }),
      ],
    ];
    for (const [what, bytes] of cases) {
      const response = await post(bytes);
      assert.ok(response.status >= 400 && response.status < 500, `${what} → ${response.status}`);
      assert.equal(typeof ((await response.json()) as { error: unknown }).error, 'string', what);
    }
    assert.deepEqual(engine.list(), []);
  });

  it('takes as many pieces as it accepts (a 2 GiB torrent) without allocating it, lists it, and deletes it', {
    timeout: 30_000,
  }, async () => {
    const pieces = TORRENT_LIMITS.maxPieces;
    const bytes = torrentOf({
      'piece length': 16384,
      length: 16384 * pieces,
      pieces: Buffer.alloc(20 * pieces, 7),
    });
    const response = await post(bytes);
    assert.equal(response.status, 201);
    const { infoHash } = (await response.json()) as { infoHash: string };
    // Its (absent) pieces are checked without holding the event loop, so it lists them once ready.
    const shown = await waitFor('the torrent checked', async () => {
      const torrent = (await (await fetch(`${server.url}/api/torrents/${infoHash}`)).json()) as {
        ready: boolean;
        length: number;
      };
      return torrent.ready ? torrent : null;
    });
    assert.equal(shown.length, 16384 * pieces);
    const deleted = await fetch(`${server.url}/api/torrents/${infoHash}?deleteFiles=true`, {
      method: 'DELETE',
    });
    assert.equal(deleted.status, 204);
    const health = await fetch(`${server.url}/api/health`);
    assert.equal(health.status, 200);
    await health.arrayBuffer();
    const written = readdirSync(work, { recursive: true })
      .map(String)
      .filter((path) => !path.startsWith('dl'));
    assert.deepEqual(
      written,
      [],
      `nothing outside the download folder: ${written.map((p) => relative(work, p))}`,
    );
  });

  /** Posts `bytes`: the answer, and how long the event loop was held meanwhile (nothing is added). */
  const refused = async (bytes: Buffer) => {
    const { result, worstMs } = await worstLoopDelayMs(async () => {
      const response = await post(bytes);
      return { status: response.status, body: (await response.json()) as { error: string; code: string } };
    });
    assert.ok(worstMs < 1000, `the event loop was held ${Math.round(worstMs)} ms`);
    assert.deepEqual(engine.list(), []);
    return result;
  };

  it('answers 413 to 100 000 files before parsing them, without holding the event loop', async () => {
    // Bencode written as text: 100 000 objects through the helper would make this process's own garbage
    // collection the pause measured.
    const count = 100_000;
    const file = (i: number) => {
      const [folder, name] = [`folder ${i % 100}`, `file number ${i}.bin`];
      return `d6:lengthi1000e4:pathl${folder.length}:${folder}${name.length}:${name}ee`;
    };
    const list = Array.from({ length: count }, (_, i) => file(i)).join('');
    const pieces = 20 * Math.ceil((1000 * count) / 16384);
    const bytes = Buffer.concat([
      Buffer.from(`d4:infod5:filesl${list}e4:name4:many12:piece lengthi16384e6:pieces${pieces}:`),
      Buffer.alloc(pieces, 7),
      Buffer.from('ee'),
    ]);
    const { status, body } = await refused(bytes);
    assert.equal(status, 413);
    assert.equal(body.code, 'TOO_LARGE');
    assert.match(body.error, /has over 10000 files, more than are accepted/);
  });

  it('answers 413 to 500 000 pieces, without holding the event loop', async () => {
    const pieces = 500_000;
    const bytes = torrentOf({
      'piece length': 16384,
      length: 16384 * pieces,
      pieces: Buffer.alloc(20 * pieces),
    });
    const { status, body } = await refused(bytes);
    assert.equal(status, 413);
    assert.match(body.error, /500000 pieces; at most 131072/);
  });

  it('answers 400 to a name or a path part of 10 000 bytes', async () => {
    const long = 'x'.repeat(10_000);
    const piece = { 'piece length': 16384, length: 16384, pieces: Buffer.alloc(20) };
    const named = await refused(bencode({ info: { ...piece, name: long } }));
    assert.equal(named.status, 400);
    assert.match(named.body.error, /a name of 10000 bytes/);
    const files = [{ length: 16384, path: ['ok', long] }];
    const pathed = await refused(
      bencode({ info: { name: 'n', 'piece length': 16384, pieces: Buffer.alloc(20), files } }),
    );
    assert.equal(pathed.status, 400);
  });

  it('answers 400 to bencode nested beyond reason, without a stack overflow', async () => {
    const deep = Buffer.concat([
      Buffer.from('d4:infod4:name1:x3:fooi1e6:nestedl'),
      Buffer.alloc(100_000, 0x6c),
    ]);
    const { status, body } = await refused(deep);
    assert.equal(status, 400);
    assert.match(body.error, /nested deeper/);
  });

  it("stops a magnet whose peers' metadata has more files than accepted, before parsing it", {
    timeout: 60_000,
  }, async () => {
    const count = TORRENT_LIMITS.maxFiles + 1;
    const files = Array.from({ length: count }, (_, i) => ({ length: 100, path: ['notes', `${i}.txt`] }));
    const info = { name: 'Too Many', 'piece length': 16384, pieces: Buffer.alloc(20 * 62, 1), files };
    const infoHash = createHash('sha1').update(bencode(info)).digest('hex');
    // A peer that has the metadata (its data is never asked for).
    const peer = await seedOnPort(join(work, 'peer', 'Too Many'), { torrent: bencode({ info }) });
    try {
      const response = await fetch(`${server.url}/api/torrents`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ source: `magnet:?xt=urn:btih:${infoHash}&x.pe=127.0.0.1:${peer.port}` }),
      });
      assert.equal(response.status, 201);
      const stopped = await waitFor('the torrent to stop or be ready', async () => {
        const torrent = (await (await fetch(`${server.url}/api/torrents/${infoHash}`)).json()) as {
          ready: boolean;
          error?: string;
        };
        return torrent.error || torrent.ready ? torrent : null;
      });
      assert.equal(stopped.ready, false);
      assert.match(
        stopped.error ?? '',
        new RegExp(`metadata from its peers has over ${TORRENT_LIMITS.maxFiles} files`),
      );
    } finally {
      await peer.close();
      await fetch(`${server.url}/api/torrents/${infoHash}`, { method: 'DELETE' });
    }
  });
});
