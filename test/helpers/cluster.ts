/**
 * `npm run cluster` for tests: its entry point (dist/cluster/main.js, what the npm script execs) started on
 * free loopback ports with DHT, LSD and NAT off, its state (D/cluster.json) read back, and the processes it
 * started found in /proc. Skips where nginx is not installed.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { locateNginx } from '../../src/cluster/locate-nginx.js';
import { type CliRun, runCli } from './cli.js';
import { processTable } from './processes.js';

export const clusterMain = fileURLToPath(new URL('../../dist/cluster/main.js', import.meta.url));

/** Why the cluster tests cannot run here, or false. */
export const noNginx =
  !locateNginx() && 'needs nginx (apt-get install nginx): the cluster front is the real one';

export interface ClusterState {
  url: string;
  nginx: { pid: number; config: string };
  nodes: Array<{ index: number; url: string; pid: number; dir: string; torrentPort: number }>;
}

export interface ClusterRun {
  run: CliRun;
  pid: number;
  state: ClusterState;
  url: string;
  /** SIGTERM, then the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A base port P with P to P+2N free (what a cluster of N nodes uses). */
export async function freePortBlock(nodes: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const ports = Array.from({ length: 2 * nodes + 1 }, (_, i) => base + i);
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
}

const quiet = ['--no-dht', '--no-lsd', '--no-nat', '--quiet'];

/**
 * Starts a cluster of `nodes` in `dir` (on `port`, or free ports), once its front answers; `flags` go to every
 * node besides the quiet ones.
 */
export async function startClusterRun(
  dir: string,
  nodes: number,
  port?: number,
  flags: string[] = [],
): Promise<ClusterRun> {
  const base = port ?? (await freePortBlock(nodes));
  const args = ['--nodes', String(nodes), '--port', String(base), '--dir', dir, '--', ...quiet, ...flags];
  const cluster = runCli(args, {}, clusterMain);
  try {
    await cluster.line(/^cluster: http:\/\/127\.0\.0\.1:\d+ /);
  } catch (err) {
    cluster.child.kill('SIGTERM');
    throw err;
  }
  const state = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8')) as ClusterState;
  return {
    run: cluster,
    pid: cluster.child.pid!,
    state,
    url: state.url,
    async stop() {
      cluster.child.kill('SIGTERM');
      return cluster.exit;
    },
  };
}

/** Every process under `root` now (its children, theirs...), read from /proc: PID and name. */
export function descendants(root: number): Array<{ pid: number; name: string }> {
  const children = new Map<number, Array<{ pid: number; name: string }>>();
  for (const { pid, ppid, name } of processTable()) {
    children.set(ppid, [...(children.get(ppid) ?? []), { pid, name }]);
  }
  const found: Array<{ pid: number; name: string }> = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      walk(child.pid);
    }
  };
  walk(root);
  return found;
}

/** A node's own torrents (the local header: no merging), as info-hashes. */
export async function ownTorrents(nodeUrl: string): Promise<string[]> {
  const response = await fetch(`${nodeUrl}/api/torrents`, { headers: { 'x-streamtide-local': '1' } });
  if (response.status !== 200) throw new Error(`${nodeUrl}: ${response.status}`);
  return ((await response.json()) as Array<{ infoHash: string }>).map((torrent) => torrent.infoHash);
}
