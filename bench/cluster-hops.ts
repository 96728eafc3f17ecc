/**
 * `node --import tsx bench/cluster-hops.ts [--nodes 3] [--runs 200]` (after `npm run build`): what the
 * cluster's extra hops cost, for docs/cluster.md. Starts `npm run cluster`'s entry point on free loopback
 * ports and times, one request at a time, the same requests straight to a node and through the nginx front:
 * a GET routed by info-hash (nginx alone), an add (nginx, the parse on the receiving node, nginx again), the
 * list (one request per node, merged), and a whole downloaded file read as a direct stream (nginx's copy).
 * Media is cached in $STREAMTIDE_BENCH_CACHE (default: the temp folder), as for `npm run bench`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkvOfSize } from './lib/media.js';
import { startSeeder } from './lib/seeder-client.js';
import { median } from './lib/stats.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const nodes = arg('nodes', 3);
const runs = arg('runs', 200);
const streamBytes = 200 * 1024 * 1024;
const cacheDir = process.env.STREAMTIDE_BENCH_CACHE ?? join(tmpdir(), 'streamtide-bench');

const free = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });

async function portBlock(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const all = Array.from({ length: 2 * nodes + 1 }, (_, i) => base + i);
    if ((await Promise.all(all.map(free))).every(Boolean)) return base;
  }
}

async function once(request: () => Promise<Response>): Promise<number> {
  const start = performance.now();
  const response = await request();
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`HTTP ${response.status}`);
  return performance.now() - start;
}

/** Times each kind of request `count` times, interleaved: a node slows as its torrents grow, equally for all. */
async function timed(count: number, requests: Array<() => Promise<Response>>): Promise<number[][]> {
  const samples = requests.map((): number[] => []);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < requests.length; k++) {
      const which = (i + k) % requests.length;
      samples[which].push(await once(requests[which]));
    }
  }
  return samples;
}

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))];
const row = (what: string, direct: number[], front: number[]) =>
  `| ${what} | ${median(direct).toFixed(2)} / ${quantile(direct, 0.9).toFixed(2)} ms | ` +
  `${median(front).toFixed(2)} / ${quantile(front, 0.9).toFixed(2)} ms | +${(median(front) - median(direct)).toFixed(2)} ms |`;

async function ownerOf(nodes: string[], infoHash: string): Promise<string> {
  for (const node of nodes) {
    const own = await fetch(`${node}/api/torrents/${infoHash}`);
    await own.arrayBuffer();
    if (own.status === 200) return node;
  }
  throw new Error(`no node has ${infoHash}`);
}

const dir = mkdtempSync(join(tmpdir(), 'streamtide-bench-cluster-'));
const main = fileURLToPath(new URL('../dist/cluster/main.js', import.meta.url));
const port = await portBlock();
const args = [
  '--nodes',
  String(nodes),
  '--port',
  String(port),
  '--dir',
  dir,
  '--',
  '--no-dht',
  '--no-lsd',
  '--no-nat',
  '--quiet',
];
const cluster = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  await new Promise<void>((resolve, reject) => {
    cluster.stdout.setEncoding('utf8').on('data', (text: string) => text.includes('Ctrl-C') && resolve());
    cluster.once('exit', (code) => reject(new Error(`the cluster exited (${code})`)));
  });
  const state = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as {
    url: string;
    nodes: Array<{ url: string }>;
  };
  const front = state.url;
  const node = state.nodes[0].url;
  const json = { 'content-type': 'application/json' };
  const add = (base: string, route: boolean) => () => {
    const infoHash = randomBytes(20).toString('hex');
    const headers = route ? { ...json, 'x-streamtide-route': infoHash } : json;
    return fetch(`${base}/api/torrents`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ source: infoHash }),
    });
  };
  await timed(20, [add(front, false)]); // warm up every node and connection
  const [addDirect, addFront, addNamed] = await timed(runs, [
    add(node, true),
    add(front, false),
    add(front, true),
  ]);
  const local = { headers: { 'x-streamtide-local': '1' } };
  const mine = (await (await fetch(`${node}/api/torrents`, local)).json()) as Array<{ infoHash: string }>;
  const someHash = mine[0].infoHash;
  const [getDirect, getFront] = await timed(runs, [
    () => fetch(`${node}/api/torrents/${someHash}`),
    () => fetch(`${front}/api/torrents/${someHash}`),
  ]);
  const [listDirect, listFront] = await timed(runs / 4, [
    () => fetch(`${node}/api/torrents`, local),
    () => fetch(`${front}/api/torrents`),
  ]);
  const movie = await mkvOfSize(cacheDir, streamBytes);
  const seeder = await startSeeder({ files: [{ path: movie.path, copies: 1 }] });
  const [seeded] = seeder.of(movie.path);
  await (
    await fetch(`${front}/api/torrents`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ source: seeded.magnet }),
    })
  ).arrayBuffer();
  for (;;) {
    const torrent = (await (await fetch(`${front}/api/torrents/${seeded.infoHash}`)).json()) as {
      progress: number;
    };
    if (torrent.progress === 1) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await seeder.close();
  const owner = await ownerOf(
    state.nodes.map((n) => n.url),
    seeded.infoHash,
  );
  const path = `/stream/${seeded.infoHash}/0?mode=direct`;
  const [streamDirect, streamFront] = await timed(5, [
    () => fetch(`${owner}${path}`),
    () => fetch(`${front}${path}`),
  ]);
  const rate = (samples: number[]) =>
    `${(movie.size / 1024 / 1024 / (median(samples) / 1000)).toFixed(0)} MiB/s`;
  const total = 20 + 3 * runs;
  process.stdout.write(
    [
      `${nodes} nodes, ${runs} requests each, one at a time, loopback; median / p90`,
      '',
      '| request | straight to its node | through the front | extra |',
      '| --- | --- | --- | --- |',
      row('GET /api/torrents/:ih (nginx only)', getDirect, getFront),
      row('POST /api/torrents, already named (nginx only)', addDirect, addNamed),
      row('POST /api/torrents (nginx, parse, nginx again)', addDirect, addFront),
      row(`GET /api/torrents (${total} torrents: one node's vs all merged)`, listDirect, listFront),
      '',
      `A downloaded ${(movie.size / 1024 / 1024).toFixed(0)} MiB file as a direct stream, median of 5: ` +
        `${rate(streamDirect)} straight to its node, ${rate(streamFront)} through the front.`,
      '',
    ].join('\n'),
  );
} finally {
  cluster.kill('SIGTERM');
  await new Promise((resolve) => cluster.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
