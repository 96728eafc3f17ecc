/**
 * Starts a cluster: N nodes (`streamtide serve`, each with its own folder under D and its own ports) and
 * nginx before them on 127.0.0.1:P, with the config rendered from deploy/nginx/ into D/nginx. It returns once
 * the front answers; `stop()` ends every process it started, by PID. D/cluster.json says what runs where.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterPlan } from './args.js';
import { Child } from './child.js';
import { waitHealthy } from './health.js';
import { clusterFront, renderNginxConfig } from './nginx-config.js';
import { assertFree, type ClusterPorts, clusterPorts } from './ports.js';

const cliPath = fileURLToPath(new URL('../cli/main.js', import.meta.url));
/** A node saves its torrents within 2 s of SIGTERM; nginx stops at once. */
const stopGraceMs = 5000;

export interface ClusterNode {
  index: number;
  url: string;
  dir: string;
  torrentPort: number;
  process: Child;
}

export interface RunningCluster {
  url: string;
  nodes: ClusterNode[];
  nginx: Child;
  configPath: string;
  stop(): Promise<void>;
}

function startNode(plan: ClusterPlan, index: number, ports: ClusterPorts, front: string): ClusterNode {
  const { http, torrent } = ports.nodes[index - 1];
  const dir = join(plan.dir, `node-${index}`);
  const nodes = ports.nodes.map((node) => `http://127.0.0.1:${node.http}`).join(',');
  const args = [
    cliPath,
    'serve',
    ...['--host', '127.0.0.1', '--port', String(http), '--dir', dir, '--torrent-port', String(torrent)],
    ...['--cluster-front', front, '--cluster-nodes', nodes],
    ...plan.serveFlags,
  ];
  const child = new Child(
    `node ${index}`,
    process.execPath,
    args,
    join(plan.dir, 'logs', `node-${index}.log`),
  );
  return { index, url: `http://127.0.0.1:${http}`, dir, torrentPort: torrent, process: child };
}

export async function startCluster(plan: ClusterPlan, signal: AbortSignal): Promise<RunningCluster> {
  const ports = clusterPorts(plan.port, plan.nodes);
  await assertFree(ports);
  const nginxDir = join(plan.dir, 'nginx');
  mkdirSync(join(plan.dir, 'logs'), { recursive: true });
  mkdirSync(join(nginxDir, 'logs'), { recursive: true });
  const url = `http://127.0.0.1:${plan.port}`;
  const nodes: ClusterNode[] = [];
  let nginx: Child | undefined;
  const stop = async () => {
    // The front first, so no new request reaches a stopping node.
    await nginx?.stop(stopGraceMs);
    await Promise.all(nodes.map((node) => node.process.stop(stopGraceMs)));
  };
  // Every node signs sessions and shared links with one secret (children inherit the environment), so a
  // browser session made through one node is good on all of them.
  process.env.STREAMTIDE_CAPABILITY_SECRET ||= randomBytes(32).toString('base64url');
  try {
    for (let index = 1; index <= plan.nodes; index++) nodes.push(startNode(plan, index, ports, url));
    await Promise.all(nodes.map((node) => waitHealthy(node.url, node.process, signal)));
    const configPath = join(nginxDir, 'nginx.conf');
    const settings = clusterFront(
      plan.port,
      ports.nodes.map((node) => node.http),
      process.getuid?.() === 0,
    );
    writeFileSync(configPath, renderNginxConfig(settings));
    const errorLog = join(nginxDir, 'logs', 'error.log');
    const nginxArgs = ['-p', `${nginxDir}/`, '-c', configPath, '-e', errorLog];
    nginx = new Child('nginx', plan.nginx, nginxArgs, join(plan.dir, 'logs', 'nginx.log'));
    await waitHealthy(url, nginx, signal);
    const running = { url, nodes, nginx, configPath, stop };
    writeFileSync(join(plan.dir, 'cluster.json'), `${JSON.stringify(describe(running), null, 2)}\n`);
    return running;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** D/cluster.json: for operators and tests (which node is where, by PID). */
function describe(cluster: Omit<RunningCluster, 'stop'>) {
  return {
    url: cluster.url,
    nginx: { pid: cluster.nginx.pid, config: cluster.configPath },
    nodes: cluster.nodes.map((node) => ({
      index: node.index,
      url: node.url,
      pid: node.process.pid,
      dir: node.dir,
      torrentPort: node.torrentPort,
      log: node.process.logPath,
    })),
  };
}
