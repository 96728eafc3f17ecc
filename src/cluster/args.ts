/**
 * `npm run cluster -- --nodes N --port P --dir D [--nginx PATH] [-- SERVE FLAGS]`: what to start. Flags after
 * `--` go to every node's `streamtide serve` (say `--no-dht`, `--max-cache 50G`, `--token T`), except the
 * ones the cluster sets itself.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { parsePort } from '../cli/options.js';
import { checkNginx, locateNginx } from './locate-nginx.js';

export interface ClusterPlan {
  nodes: number;
  port: number;
  dir: string;
  nginx: string;
  serveFlags: string[];
}

const maxNodes = 64;
const reserved = ['--host', '--port', '--dir', '--torrent-port', '--cluster-front', '--cluster-nodes'];

function parseNodes(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > maxNodes) {
    throw new InvalidArgumentError(`expected a node count from 1 to ${maxNodes}`);
  }
  return count;
}

/** The plan, or throws (commander's errors included) with a message for the user. */
export function parseClusterArgs(argv: string[], env = process.env): ClusterPlan {
  const program = new Command('npm run cluster --')
    .description('N streamtide nodes behind nginx on 127.0.0.1:P, each info-hash always on the same node')
    .option('--nodes <n>', 'how many nodes', parseNodes, 3)
    .option('--port <port>', 'nginx listens on 127.0.0.1:P; the nodes on the ports above', parsePort, 8977)
    .option(
      '--dir <dir>',
      'the cluster folder: one folder per node, nginx files, logs',
      join(homedir(), '.cache', 'streamtide-cluster'),
    )
    .option('--nginx <path>', 'the nginx binary (default: nginx on PATH, then /usr/sbin/nginx)')
    .argument('[serveFlags...]', 'after --: flags for every node (streamtide serve)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text.replace(/^error: /, 'cluster: ')) });
  program.parse(argv, { from: 'user' });
  const options = program.opts<{ nodes: number; port: number; dir: string; nginx?: string }>();
  const serveFlags = program.args;
  const clash = serveFlags.map((flag) => flag.split('=')[0]).find((name) => reserved.includes(name));
  if (clash) throw new Error(`${clash} is set by the cluster for each node`);
  const nginx = options.nginx === undefined ? locateNginx(env) : checkNginx(options.nginx);
  if (!nginx) {
    throw new InvalidArgumentError(
      'nginx not found: install it (apt-get install nginx) or pass --nginx PATH',
    );
  }
  return { nodes: options.nodes, port: options.port, dir: resolve(options.dir), nginx, serveFlags };
}
