/** What `npm run cluster` accepts, and the ports it lays out from P. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClusterArgs } from '../../src/cluster/args.js';
import { clusterPorts } from '../../src/cluster/ports.js';
import { isolatedFlags, runCli } from '../helpers/cli.js';

// A stand-in nginx: the parser only checks that the binary is executable.
const nginx = ['--nginx', '/bin/sh'];

describe('npm run cluster -- …', () => {
  it('takes N, P and D, and hands the flags after -- to every node', () => {
    const plan = parseClusterArgs([
      '--nodes',
      '5',
      '--port',
      '9000',
      '--dir',
      'rel',
      ...nginx,
      '--',
      '--no-dht',
    ]);
    assert.equal(plan.nodes, 5);
    assert.equal(plan.port, 9000);
    assert.equal(plan.dir, `${process.cwd()}/rel`);
    assert.equal(plan.nginx, '/bin/sh');
    assert.deepEqual(plan.serveFlags, ['--no-dht']);
  });

  it('refuses node flags the cluster sets itself, and absurd counts', () => {
    assert.throws(() => parseClusterArgs([...nginx, '--', '--port', '1']), /--port is set by the cluster/);
    assert.throws(() => parseClusterArgs([...nginx, '--', '--dir=/x']), /--dir is set by the cluster/);
    assert.throws(() => parseClusterArgs([...nginx, '--nodes', '0']), /node count/);
    assert.throws(() => parseClusterArgs(['--nginx', '/nonexistent/nginx']), /not an executable nginx/);
  });

  it('puts node i on P+i and its BitTorrent port on P+N+i', () => {
    assert.deepEqual(clusterPorts(9000, 2), {
      front: 9000,
      nodes: [
        { http: 9001, torrent: 9003 },
        { http: 9002, torrent: 9004 },
      ],
    });
    assert.throws(() => clusterPorts(65530, 3), /no room/);
  });

  it('gives a node both of --cluster-front and --cluster-nodes, or neither (exit 2)', async () => {
    const flags = isolatedFlags('/nonexistent-streamtide-dir');
    const half = runCli(['serve', ...flags, '--cluster-front', 'http://127.0.0.1:9000']);
    assert.equal((await half.exit).code, 2);
    assert.match(half.stderr(), /--cluster-front and --cluster-nodes go together/);
    const bad = runCli(['serve', ...flags, '--cluster-front', 'ftp://x', '--cluster-nodes', 'http://a:1']);
    assert.equal((await bad.exit).code, 2);
    assert.match(bad.stderr(), /base URL/);
  });
});
