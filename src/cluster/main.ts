#!/usr/bin/env node
/**
 * `npm run cluster`: N streamtide nodes behind nginx until SIGINT, SIGTERM or SIGHUP, which stop every process
 * it started and exit 0. A node that dies is left to nginx, which routes around it; nginx dying ends the run (1).
 */
import { CommanderError } from 'commander';
import type { ClusterPlan } from './args.js';
import { parseClusterArgs } from './args.js';
import { describeExit } from './child.js';
import { type RunningCluster, startCluster } from './cluster.js';

const stopping = new AbortController();
// SIGHUP too (its terminal closed): the nodes and nginx run in process groups of their own, so no signal of
// the terminal's reaches them, and only this process can stop them.
for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(name, () => stopping.abort());

// A terminal that hung up fails writes (EIO): the stop goes on unsaid.
process.stdout.on('error', () => undefined);
const say = (line: string) => process.stdout.write(`cluster: ${line}\n`);

async function run(plan: ClusterPlan): Promise<number> {
  let cluster: RunningCluster;
  try {
    cluster = await startCluster(plan, stopping.signal);
  } catch (err) {
    if (stopping.signal.aborted) return 0;
    process.stderr.write(`cluster: ${(err as Error).message}\n`);
    return 1;
  }
  for (const node of cluster.nodes) {
    say(`node ${node.index} ${node.url} (pid ${node.process.pid}, ${node.dir}, log ${node.process.logPath})`);
    void node.process.exited.then((exit) => {
      if (!stopping.signal.aborted) say(`node ${node.index} ${describeExit(exit)}; nginx routes around it`);
    });
  }
  say(`nginx (pid ${cluster.nginx.pid}) with ${cluster.configPath}`);
  say(`${cluster.url} (${cluster.nodes.length} nodes behind nginx; Ctrl-C stops them all)`);
  const stopped = new Promise<'signal'>((resolve) =>
    stopping.signal.addEventListener('abort', () => resolve('signal'), { once: true }),
  );
  const outcome = await Promise.race([stopped, cluster.nginx.exited]);
  if (outcome !== 'signal') say(`nginx ${describeExit(outcome)}; stopping the nodes`);
  await cluster.stop();
  say('stopped');
  return outcome === 'signal' ? 0 : 1;
}

let plan: ClusterPlan;
try {
  plan = parseClusterArgs(process.argv.slice(2));
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  process.stderr.write(`cluster: ${(err as Error).message}\n`);
  process.exit(2);
}
process.exit(await run(plan));
