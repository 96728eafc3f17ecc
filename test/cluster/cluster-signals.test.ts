/**
 * Every way `npm run cluster` is told to stop ends every process it started: Ctrl-C (SIGINT) and a closed
 * terminal (SIGHUP), besides SIGTERM (cluster.test.ts). Its nodes and nginx run in process groups of their
 * own, so no terminal signal reaches them: the cluster must stop them itself.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { descendants, noNginx, startClusterRun } from '../helpers/cluster.js';
import { alive } from '../helpers/processes.js';

const work = mkdtempSync(join(tmpdir(), 'streamtide-cluster-signals-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('npm run cluster stops everything it started', { skip: noNginx }, () => {
  for (const signal of ['SIGINT', 'SIGHUP'] as const) {
    it(`on ${signal}, exiting 0`, async () => {
      const cluster = await startClusterRun(join(work, signal), 1);
      const started = descendants(cluster.pid);
      assert.ok(started.some((p) => p.name === 'nginx'));
      assert.ok(started.some((p) => p.name === 'node'));
      process.kill(cluster.pid, signal);
      const exit = await cluster.run.exit;
      // The cluster waits for each child's exit before its own: nothing may be left by then.
      const left = started.filter((p) => alive(p.pid));
      for (const p of left) process.kill(p.pid, 'SIGKILL');
      assert.deepEqual(left, []);
      assert.deepEqual(exit, { code: 0, signal: null });
    });
  }
});
