/**
 * What `streamtide serve` prints: on a terminal (a real pseudo-terminal), the banner first and then one
 * readable line per event with hostile names made safe; JSON lines when stdout is a pipe or with --json.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isolatedFlags, noTerminal, runCli, runCliInTerminal } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'streamtide-serve-logs-'));
const dir = (name: string) => mkdtempSync(join(work, `${name}-`));
after(() => rmSync(work, { recursive: true, force: true }));

// An info-hash nobody seeds (DHT, LSD and NAT are off): the torrent stays without metadata.
const infoHash = '0123456789abcdef0123456789abcdef01234567';
// A name with a terminal escape sequence and a right-to-left override in it.
const hostileName = 'Nobody\u001b[31mSeeds\u202eThis';
const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=${encodeURIComponent(hostileName)}`;
// No colours: then the terminal output must hold no escape sequence at all.
const plain = { NO_COLOR: '1' };

async function addTorrent(url: string): Promise<void> {
  const response = await fetch(`${url}/api/torrents`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: magnet }),
  });
  assert.equal(response.status, 201);
  await response.arrayBuffer();
}

async function removeTorrent(url: string): Promise<void> {
  const response = await fetch(`${url}/api/torrents/${infoHash}`, { method: 'DELETE' });
  assert.equal(response.status, 204);
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe('streamtide serve on a terminal', { skip: noTerminal }, () => {
  it('prints the banner first, then readable lines: added, removed, stopping, stopped', async () => {
    const cli = runCliInTerminal(['serve', ...isolatedFlags(dir('tty'))], plain);
    try {
      const banner = await cli.line(/streamtide http:\/\//);
      const url = /streamtide (http:\/\/\S+)/.exec(banner)![1]!;
      await addTorrent(url);
      const added = await cli.line(/ added /);
      assert.match(added, /^\d\d:\d\d:\d\d INFO: added "Nobody\[31mSeedsThis" \(0123…67\)$/);
      await removeTorrent(url);
      assert.match(await cli.line(/ removed /), /^\d\d:\d\d:\d\d INFO: removed "Nobody\[31mSeedsThis"/);
      process.kill(cli.cliPid(), 'SIGINT');
      assert.equal((await cli.exit).code, 0);
      const printed = lines(cli.stdout());
      assert.match(printed[0]!, /^streamtide http:\/\/127\.0\.0\.1:\d+ — FFmpeg: /, 'the banner comes first');
      assert.ok(!cli.stdout().includes('{"level"'), 'no JSON line');
      assert.ok(!cli.stdout().includes('\u001b'), 'no escape sequence');
      assert.ok(!cli.stdout().includes('\u202e'), 'no bidi override');
      assert.match(printed.at(-2)!, /^\d\d:\d\d:\d\d INFO: stopping…$/);
      assert.match(printed.at(-1)!, /^\d\d:\d\d:\d\d INFO: stopped$/);
    } finally {
      cli.child.stdin?.end();
      cli.child.kill();
    }
  });

  it('--json prints JSON lines there too', async () => {
    const cli = runCliInTerminal(['serve', ...isolatedFlags(dir('tty-json')), '--json'], plain);
    try {
      await cli.line(/"msg":"streamtide http:\/\//);
      process.kill(cli.cliPid(), 'SIGINT');
      assert.equal((await cli.exit).code, 0);
      const printed = lines(cli.stdout()).map((line) => JSON.parse(line) as { msg: string });
      assert.deepEqual(
        printed.map((line) => line.msg.replace(/ http.*/, '')),
        ['streamtide', 'stopping…', 'stopped'],
      );
    } finally {
      cli.child.stdin?.end();
      cli.child.kill();
    }
  });
});

describe('streamtide serve with stdout a pipe', () => {
  it('prints only JSON lines, the events with their fields', async () => {
    const cli = runCli(['serve', ...isolatedFlags(dir('pipe'))]);
    try {
      const banner = JSON.parse(await cli.line(/"msg":"streamtide http:\/\//)) as { url: string };
      assert.match(banner.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      await addTorrent(banner.url);
      await cli.line(/"event":"added"/);
      await removeTorrent(banner.url);
      await cli.line(/"event":"removed"/);
      cli.child.kill('SIGINT');
      assert.equal((await cli.exit).code, 0);
      const printed = lines(cli.stdout()).map((line) => JSON.parse(line) as Record<string, unknown>);
      const added = printed.find((line) => line.event === 'added')!;
      assert.equal(added.infoHash, infoHash);
      assert.equal(added.name, 'Nobody[31mSeedsThis', 'names are safe in the fields too');
      assert.equal(added.level, 30);
      assert.ok(printed.some((line) => line.event === 'removed' && line.infoHash === infoHash));
      assert.deepEqual(
        printed.slice(-2).map((line) => line.msg),
        ['stopping…', 'stopped'],
      );
    } finally {
      cli.child.kill();
    }
  });

  it('--quiet keeps the banner and warnings only', async () => {
    const cli = runCli(['serve', ...isolatedFlags(dir('quiet')), '--quiet']);
    try {
      const banner = JSON.parse(await cli.line(/"msg":"streamtide http:\/\//)) as { url: string };
      await addTorrent(banner.url);
      await removeTorrent(banner.url);
      cli.child.kill('SIGINT');
      assert.equal((await cli.exit).code, 0);
      assert.equal(lines(cli.stdout()).length, 1, cli.stdout());
    } finally {
      cli.child.kill();
    }
  });
});
