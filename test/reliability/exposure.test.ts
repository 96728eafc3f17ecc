/**
 * Exposure of the built CLI, beyond test/server/security.test.ts (token and Host checks on an in-process
 * server) and test/cli/cli-local.test.ts (no token off loopback refuses to start): `serve` binds loopback
 * only by default, and with a token every route but health — API, streams, subtitles, pages, static assets,
 * unknown paths, any method — answers 401 without it and works with it. (The FFmpeg limits under many
 * parallel requests: cli-under-load.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { serveCli } from './support.js';

const work = mkdtempSync(join(tmpdir(), 'streamtide-exposure-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Local addresses listening on `port` (from /proc/net/tcp and tcp6, in their hex notation). */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A') // 0A: LISTEN
      .map((cols) => cols[1]!.split(':')[0]!),
  );
}

describe('streamtide serve', () => {
  it('listens on 127.0.0.1 only unless told otherwise', async () => {
    const { cli, url } = await serveCli(mkdtempSync(join(work, 'bind-')));
    try {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(listeners(Number(new URL(url).port)), ['0100007F'], 'bound to 127.0.0.1 alone');
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal((await cli.exit).code, 0);
    }
  });

  it('with --token, refuses every route but health without it', async () => {
    const { cli, url } = await serveCli(mkdtempSync(join(work, 'token-')), {}, ['--token', 'sesame']);
    const hash = 'ab'.repeat(20);
    try {
      const routes: Array<[string, string]> = [
        ['GET', '/api/torrents'],
        ['POST', '/api/torrents'],
        ['GET', `/api/torrents/${hash}`],
        ['DELETE', `/api/torrents/${hash}`],
        ['GET', `/api/torrents/${hash}/files/0/probe`],
        ['GET', `/stream/${hash}/0`],
        ['HEAD', `/stream/${hash}/0`],
        ['GET', `/subtitles/${hash}/0.vtt?stream=2`],
        ['GET', `/playlist/${hash}.m3u`],
        ['GET', '/'],
        ['GET', `/play/${hash}/0`],
        ['GET', '/assets/main.js'],
        ['GET', '/no/such/route'],
        ['PUT', '/api/health/../torrents'],
        ['GET', '/api/healthz'],
      ];
      for (const [method, path] of routes) {
        const response = await fetch(`${url}${path}`, { method, headers: { Authorization: 'Bearer wrong' } });
        assert.equal(response.status, 401, `${method} ${path}`);
        await response.arrayBuffer();
      }
      const health = await fetch(`${url}/api/health`);
      assert.equal(health.status, 200);
      await health.arrayBuffer();
      const withToken = await fetch(`${url}/api/torrents`, { headers: { Authorization: 'Bearer sesame' } });
      assert.equal(withToken.status, 200);
      assert.deepEqual(await withToken.json(), []);
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal((await cli.exit).code, 0);
    }
  });
});
