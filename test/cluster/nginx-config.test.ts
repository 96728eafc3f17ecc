/**
 * The nginx config we ship (deploy/nginx/streamtide.conf.template): its routing map finds the info-hash of
 * every per-torrent route the app registers and of none other; deploy/nginx/compose.conf is the template
 * rendered for deploy/compose.yaml's nodes; and the real nginx accepts it (`nginx -t`, the compose host
 * names resolved from a private /etc/hosts: no DNS).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { locateNginx } from '../../src/cluster/locate-nginx.js';
import {
  clusterFront,
  composeFront,
  renderNginxConfig,
  templatePath,
} from '../../src/cluster/nginx-config.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const deploy = fileURLToPath(new URL('../../deploy/', import.meta.url));
const template = readFileSync(templatePath, 'utf8');

// Fastify announces each instance it creates; the hook sees every route as the app adds it.
const routes: string[] = [];
subscribe('fastify.initialization', (message) => {
  (message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (route: RouteOptions) => {
    routes.push(route.url);
  });
});

/** The regular expression of the map that reads the info-hash from the path, as JavaScript runs it. */
function pathMap(): RegExp {
  const block = template.slice(template.indexOf('map $uri $streamtide_path_hash {'));
  const pattern = /"~([^"]+)" \$h;/.exec(block)?.[1];
  assert.ok(pattern, 'the template maps $uri to $streamtide_path_hash');
  return new RegExp(pattern);
}

describe('the nginx front config', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  it('routes every per-torrent route by its info-hash, and nothing else', () => {
    const map = pathMap();
    const hash = 'C9E15763f722f23e98a29decdfae341b98d53056';
    const perTorrent = routes.filter((url) => url.includes(':infoHash'));
    assert.ok(perTorrent.length >= 10, `only ${perTorrent.length} per-torrent routes seen`);
    for (const url of perTorrent) {
      const path = url.replace(':infoHash', hash).replace(/:[A-Za-z]+/g, '0');
      assert.equal(map.exec(path)?.groups?.h, hash, `${url} (as ${path}) is not routed by its info-hash`);
    }
    for (const url of routes.filter((u) => !u.includes(':infoHash'))) {
      assert.equal(map.exec(url.replace(/\*$/, 'app.js')), null, `${url} names no torrent`);
    }
  });

  it('fills every placeholder and repeats the server line per node', () => {
    const config = renderNginxConfig(clusterFront(9000, [9001, 9002, 9003], false));
    assert.doesNotMatch(config, /\{\{/);
    assert.deepEqual(
      [...config.matchAll(/^\s*server (\S+) max_fails=/gm)].map((m) => m[1]),
      ['127.0.0.1:9001', '127.0.0.1:9002', '127.0.0.1:9003'],
    );
    assert.match(config, /listen 127\.0\.0\.1:9000;/);
    assert.throws(() => renderNginxConfig(clusterFront(9000, [9001], false), '{{unknown}}'), /unknown/);
  });

  it('ships compose.conf as the template rendered for compose.yaml, whose nodes it names', () => {
    assert.equal(
      readFileSync(join(deploy, 'nginx', 'compose.conf'), 'utf8'),
      renderNginxConfig(composeFront(3)),
    );
    const compose = readFileSync(join(deploy, 'compose.yaml'), 'utf8');
    const nodes = /STREAMTIDE_CLUSTER_NODES: (\S+)/.exec(compose)?.[1];
    assert.equal(
      nodes,
      composeFront(3)
        .nodes.map((node) => `http://${node}`)
        .join(','),
    );
    for (const node of composeFront(3).nodes)
      assert.match(compose, new RegExp(`^  ${node.split(':')[0]}:$`, 'm'));
  });

  const nginx = locateNginx();
  it('passes `nginx -t` as rendered for compose', {
    skip: !nginx && 'needs nginx (apt-get install nginx)',
  }, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'streamtide-nginx-t-'));
    try {
      const hosts = join(dir, 'hosts');
      writeFileSync(
        hosts,
        `127.0.0.1 localhost ${composeFront(3)
          .nodes.map((n) => n.split(':')[0])
          .join(' ')}\n`,
      );
      // A mount namespace of our own shows nginx that /etc/hosts; nothing changes outside it.
      const root = process.getuid?.() === 0;
      const namespace = root ? ['--mount'] : ['--user', '--map-root-user', '--mount'];
      const script = 'mount --bind "$1" /etc/hosts && exec "$2" -t -p "$3/" -c "$4" -e stderr';
      const config = join(deploy, 'nginx', 'compose.conf');
      const args = [
        ...namespace,
        '--propagation',
        'private',
        'sh',
        '-c',
        script,
        'sh',
        hosts,
        nginx!,
        dir,
        config,
      ];
      const probe = spawnSync('unshare', [...namespace, 'true']);
      if (probe.status !== 0) {
        t.skip('needs unshare with a mount namespace (to resolve the compose host names without DNS)');
        return;
      }
      // A file for nginx's /dev/stdout (the access log): Node's pipes are sockets, which cannot be opened.
      const out = openSync(join(dir, 'stdout'), 'w');
      const result = spawnSync('unshare', args, { encoding: 'utf8', stdio: ['ignore', out, 'pipe'] });
      closeSync(out);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stderr, /test is successful/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
