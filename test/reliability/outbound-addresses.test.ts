/**
 * SSRF through what a torrent supplies (issue 16, item 7): trackers (tr=, announce), web seeds (ws=,
 * url-list), exact sources (xs=) and peers (x.pe). Off loopback none may reach a loopback or private address
 * (unless --allow-lan), and link-local addresses (cloud metadata) never, on any binding — by literal, by a
 * name that resolves there, or by a redirect from a public host. Real HTTP against the real server; the
 * classifier the engine is given stands 127.0.0.2 in for the internet and 127.0.0.3 for 169.254.169.254, and
 * listeners on 127.0.0.1 stand for the router and the metadata service. Nothing leaves the machine.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Server as TrackerServer } from 'bittorrent-tracker';
import { type AddressKind, addressKind, refusal } from '../../src/torrent/address-policy.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { type Bencodable, bencode } from '../helpers/bencode.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Seeder, startSeeder } from '../helpers/swarm.js';
import { loopbackEngine, waitFor } from './support.js';

const PUBLIC = '127.0.0.2';
const LINK_LOCAL = '127.0.0.3';
const classify = (address: string): AddressKind =>
  address === PUBLIC ? 'public' : address === LINK_LOCAL ? 'link-local' : addressKind(address);

let work: string;
const closers: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of closers.reverse()) await close();
  rmSync(work, { recursive: true, force: true });
});
before(() => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-outbound-'));
});

/** A listener that should never hear from the server: it records every connection and request. */
async function trap(host: string): Promise<{ port: number; hits: string[] }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  server.on('connection', () => hits.push('connection'));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  closers.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as { port: number }).port, hits };
}

/** A raw TCP listener standing for a host a peer address points at. */
async function tcpTrap(host: string): Promise<{ port: number; hits: string[] }> {
  const hits: string[] = [];
  const server: TcpServer = createTcpServer((socket) => {
    hits.push('connection');
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as { port: number }).port, hits };
}

/** A real HTTP tracker; `announces` counts the announces it got. */
async function tracker(host: string): Promise<{ url: string; announces: () => number }> {
  const server = new TrackerServer({ udp: false, http: true, ws: false, stats: false });
  server.on('warning', () => {});
  let announces = 0;
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  server.http!.on('request', () => announces++);
  closers.push(() => new Promise((resolve) => server.close(() => resolve(undefined))));
  return {
    url: `http://${host}:${(server.http!.address() as { port: number }).port}/announce`,
    announces: () => announces,
  };
}

async function redirector(host: string, location: string): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(302, { location }).end());
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://${host}:${(server.address() as { port: number }).port}`;
}

async function setup(
  allowLan: boolean,
): Promise<{ engine: TorrentEngine; server: TestServer; warnings: string[] }> {
  const warnings: string[] = [];
  const engine = await loopbackEngine(mkdtempSync(join(work, 'dl-')), {
    tracker: true,
    utp: false,
    allowLan,
    classifyAddress: classify,
    onWarning: (message) => warnings.push(message),
  });
  const server = await startTestServer({ torrents: engine });
  closers.push(
    () => server.close(),
    () => engine.destroy(),
  );
  return { engine, server, warnings };
}

async function add(server: TestServer, source: string | Buffer): Promise<string> {
  const response = await fetch(`${server.url}/api/torrents`, {
    method: 'POST',
    headers: { 'Content-Type': typeof source === 'string' ? 'application/json' : 'application/x-bittorrent' },
    body: typeof source === 'string' ? JSON.stringify({ source }) : source,
  });
  assert.equal(response.status, 201, await response.clone().text());
  return ((await response.json()) as { infoHash: string }).infoHash;
}

const hash = () => randomBytes(20).toString('hex');
const reported = (warnings: string[], port: number) => warnings.some((w) => w.includes(`:${port}`));

/** A .torrent of `files` ({ path, data }), its web seeds in url-list. */
function torrentOf(name: string, files: Array<{ path: string[]; data: Buffer }>, urlList: string[]): Buffer {
  const pieceLength = 16 * 1024;
  const all = Buffer.concat(files.map((file) => file.data));
  const pieces: Buffer[] = [];
  for (let at = 0; at < all.length; at += pieceLength) {
    pieces.push(
      createHash('sha1')
        .update(all.subarray(at, at + pieceLength))
        .digest(),
    );
  }
  const info: Record<string, Bencodable> = {
    name,
    'piece length': pieceLength,
    pieces: Buffer.concat(pieces),
  };
  if (files.length === 1) info.length = all.length;
  else info.files = files.map((file) => ({ length: file.data.length, path: file.path }));
  return bencode({ info, 'url-list': urlList });
}

describe('the policy', () => {
  it('classes link-local apart from the rest of the LAN, mapped IPv6 forms too', () => {
    for (const address of [
      '169.254.169.254',
      '169.254.0.1',
      'fe80::1',
      '[fe80::abcd]',
      '::ffff:169.254.169.254',
    ]) {
      assert.equal(addressKind(address), 'link-local', address);
    }
    for (const address of [
      '127.0.0.1',
      '10.0.0.1',
      '192.168.1.1',
      '::1',
      'fd00::1',
      '::ffff:10.1.2.3',
      '0.0.0.0',
    ]) {
      assert.equal(addressKind(address), 'private', address);
    }
    assert.equal(addressKind('1.1.1.1'), 'public');
  });

  it('refuses link-local always, the LAN unless allowed, the internet never', () => {
    for (const lan of [true, false]) {
      assert.match(refusal({ lan }, '169.254.169.254') ?? '', /link-local/);
      assert.equal(refusal({ lan }, '8.8.8.8'), undefined);
      assert.equal(refusal({ lan }, '192.168.1.1') === undefined, lan);
    }
  });
});

describe('off loopback, without --allow-lan', () => {
  it('contacts no tracker or exact source inside the network: by address, by name, or by redirect', async () => {
    const { server, warnings } = await setup(false);
    const router = await trap('127.0.0.1');
    const byName = await trap('127.0.0.1');
    const redirected = await trap('127.0.0.1');
    const exact = await trap('127.0.0.1');
    const metadata = await trap(LINK_LOCAL);
    const outside = await tracker(PUBLIC);
    const redirect = await redirector(PUBLIC, `http://127.0.0.1:${redirected.port}/router/redirected`);
    const trackers = [
      `http://127.0.0.1:${router.port}/router/admin?action=reboot`,
      `http://localhost:${byName.port}/by-name`,
      `http://${LINK_LOCAL}:${metadata.port}/latest/meta-data`,
      `${redirect}/announce`,
      outside.url,
    ];
    const magnet = `magnet:?xt=urn:btih:${hash()}&${trackers.map((t) => `tr=${encodeURIComponent(t)}`).join('&')}&xs=${encodeURIComponent(`http://127.0.0.1:${exact.port}/x.torrent`)}`;
    await add(server, magnet);
    const traps = [router, byName, redirected, exact, metadata];
    await waitFor(
      'the public tracker announced to and every inside one refused (or one reached)',
      () =>
        traps.some((t) => t.hits.length > 0) ||
        (outside.announces() > 0 && traps.every((t) => reported(warnings, t.port))),
    );
    for (const t of traps) assert.deepEqual(t.hits, [], `port ${t.port}: ${warnings.join('\n')}`);
    assert.ok(warnings.some((w) => /link-local/.test(w) && w.includes(`:${metadata.port}`)));
    assert.ok(warnings.some((w) => /--allow-lan/.test(w) && w.includes(`:${router.port}`)));
  });

  it('fetches from no web seed inside the network', async () => {
    const { server, warnings } = await setup(false);
    const router = await trap('127.0.0.1');
    const byName = await trap('127.0.0.1');
    const metadata = await trap(LINK_LOCAL);
    const traps = [router, byName, metadata];
    const torrent = torrentOf(
      'seeded.bin',
      [{ path: ['seeded.bin'], data: randomBytes(48 * 1024) }],
      [
        `http://127.0.0.1:${router.port}/seeded.bin`,
        `http://localhost:${byName.port}/seeded.bin`,
        `http://${LINK_LOCAL}:${metadata.port}/latest/meta-data/`,
      ],
    );
    await add(server, torrent);
    await waitFor(
      'every web seed refused (or one reached)',
      () => traps.some((t) => t.hits.length > 0) || traps.every((t) => reported(warnings, t.port)),
    );
    for (const t of traps) assert.deepEqual(t.hits, [], `port ${t.port}`);
  });

  it('dials no x.pe peer inside the network, and still the public ones', async () => {
    const { engine, server, warnings } = await setup(false);
    const data = randomBytes(64 * 1024);
    const file = join(work, 'peer-data.bin');
    writeFileSync(file, data);
    const seeder: Seeder = await startSeeder(file);
    closers.push(() => seeder.close());
    const router = await tcpTrap('127.0.0.1');
    const metadata = await tcpTrap(LINK_LOCAL);
    const peers = [`127.0.0.1:${router.port}`, `${LINK_LOCAL}:${metadata.port}`, `${PUBLIC}:${seeder.port}`];
    const infoHash = await add(
      server,
      `magnet:?xt=urn:btih:${seeder.infoHash}&${peers.map((p) => `x.pe=${p}`).join('&')}`,
    );
    await waitFor(
      'metadata from the public peer, and the inside ones refused (or one reached)',
      () =>
        router.hits.length + metadata.hits.length > 0 ||
        (engine.get(infoHash)?.ready && reported(warnings, router.port) && reported(warnings, metadata.port)),
    );
    assert.deepEqual(router.hits, []);
    assert.deepEqual(metadata.hits, []);
  });
});

describe('on loopback (the LAN allowed)', () => {
  it('announces to a tracker on the LAN but never to a link-local one', async () => {
    const { server, warnings } = await setup(true);
    const lan = await tracker('127.0.0.1');
    const metadata = await trap(LINK_LOCAL);
    const redirect = await redirector('127.0.0.1', `http://${LINK_LOCAL}:${metadata.port}/latest/meta-data`);
    const trackers = [lan.url, `http://${LINK_LOCAL}:${metadata.port}/latest/meta-data`, `${redirect}/a`];
    await add(
      server,
      `magnet:?xt=urn:btih:${hash()}&${trackers.map((t) => `tr=${encodeURIComponent(t)}`).join('&')}`,
    );
    await waitFor(
      'the LAN tracker announced to and the link-local one refused (or reached)',
      () => metadata.hits.length > 0 || (lan.announces() > 0 && reported(warnings, metadata.port)),
    );
    assert.deepEqual(metadata.hits, []);
  });

  it('downloads from a web seed it may reach, file by file (BEP 19)', async () => {
    const { engine, server } = await setup(true);
    const files = [
      { path: ['a b.bin'], data: randomBytes(40_000) },
      { path: ['sub', 'c#1.bin'], data: randomBytes(30_000) },
    ];
    const served = new Map(files.map((f) => [`/pack/${f.path.map(encodeURIComponent).join('/')}`, f.data]));
    const requests: string[] = [];
    const seed = createServer((req, res) => {
      requests.push(req.url ?? '');
      const body = served.get(req.url ?? '');
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (!body || !range) return res.writeHead(404).end();
      const [start, end] = [Number(range[1]), Number(range[2])];
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${body.length}` });
      res.end(body.subarray(start, end + 1));
    });
    await new Promise<void>((resolve) => seed.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => seed.close(resolve)));
    const port = (seed.address() as { port: number }).port;
    const infoHash = await add(server, torrentOf('pack', files, [`http://127.0.0.1:${port}/`]));
    await waitFor('the torrent complete from its web seed', () => engine.get(infoHash)?.progress === 1);
    assert.ok(
      requests.every((url) => served.has(url)),
      requests.join(' '),
    );
  });
});
