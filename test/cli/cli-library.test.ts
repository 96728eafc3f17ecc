/**
 * What a one-shot run touches: only its own torrent (the library saved in --dir is neither resumed nor lost),
 * and the HTTP port it was given (a busy default port is replaced, and said so; a busy --port is an error).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { STATE_FILE } from '../../src/torrent/state-store.js';
import { isolatedFlags, runCli } from '../helpers/cli.js';
import { makeMedia } from '../helpers/media.js';
import { serveCli } from '../reliability/support.js';

const saved = (infoHash: string) => ({
  infoHash,
  magnet: `magnet:?xt=urn:btih:${infoHash}`,
  addedAt: 1,
  lastStreamedAt: 0,
});
const savedHashes = (dir: string): string[] =>
  (
    JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as { torrents: Array<{ infoHash: string }> }
  ).torrents
    .map((t) => t.infoHash)
    .sort();

async function listed(base: string): Promise<string[]> {
  const torrents = (await (await fetch(`${base}/api/torrents`)).json()) as Array<{ infoHash: string }>;
  return torrents.map((t) => t.infoHash);
}

describe('a one-shot run and the saved library', () => {
  it('does not resume the library, keeps it saved (with its own torrent added), and serve still has it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamtide-oneshot-'));
    const old = 'a'.repeat(40);
    writeFileSync(join(dir, STATE_FILE), JSON.stringify({ version: 1, torrents: [saved(old)] }));
    // A magnet nobody seeds, as in an aborted run: it must be saved, and not be resumed by the next run.
    const dead = 'b'.repeat(40);
    const first = runCli([`magnet:?xt=urn:btih:${dead}`, ...isolatedFlags(dir), '--quiet']);
    while (!/b{40}/.test(readFileSync(join(dir, STATE_FILE), 'utf8')))
      await new Promise((r) => setTimeout(r, 100));
    first.child.kill('SIGTERM');
    assert.equal((await first.exit).code, 0, first.stderr());
    assert.equal(first.stderr(), '', '--quiet prints nothing while it waits for metadata');
    assert.deepEqual(savedHashes(dir), [old, dead]);

    const mp4 = await makeMedia('mp4');
    const second = runCli([mp4, ...isolatedFlags(dir), '--quiet']);
    try {
      const base = new URL((await second.line(/^stream: /)).slice('stream: '.length)).origin;
      const running = await listed(base);
      assert.ok(!running.includes(old) && !running.includes(dead), running.join(', '));
    } finally {
      second.child.kill('SIGTERM');
      assert.equal((await second.exit).code, 0, second.stderr());
    }
    assert.deepEqual(savedHashes(dir), [old, dead]);

    const { cli: serve, url: base } = await serveCli(dir);
    try {
      assert.deepEqual((await listed(base)).sort(), [old, dead]);
    } finally {
      serve.child.kill('SIGTERM');
      assert.equal((await serve.exit).code, 0, serve.stderr());
    }
  });
});

function listen(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('a busy HTTP port', () => {
  it('without --port: says which port it took instead of 8977', async () => {
    // Someone else may hold 8977 already; busy either way is what this needs.
    const blocker = await listen(8977);
    const dir = mkdtempSync(join(tmpdir(), 'streamtide-port-'));
    const flags = isolatedFlags(dir).filter((_, i, all) => all[i] !== '--port' && all[i - 1] !== '--port');
    const cli = runCli([await makeMedia('mp4'), ...flags, '--quiet']);
    try {
      const port = new URL((await cli.line(/^stream: /)).slice('stream: '.length)).port;
      assert.notEqual(port, '8977');
      assert.match(cli.stderr(), new RegExp(`streamtide: port 8977 is in use; using ${port}\\n`));
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal((await cli.exit).code, 0);
      blocker?.close();
    }
  });

  it('with --port: exits 2 with the reason', async () => {
    const blocker = (await listen(0))!;
    const port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'streamtide-port-'));
    const flags = [...isolatedFlags(dir), '--port', String(port)];
    try {
      for (const args of [[await makeMedia('mp4')], ['serve']]) {
        const cli = runCli([...args, ...flags]);
        assert.equal((await cli.exit).code, 2, cli.stderr());
        assert.match(cli.stderr(), new RegExp(`^streamtide: port ${port} is in use; .*--port\\n$`));
      }
    } finally {
      blocker.close();
    }
  });

  it('with --torrent-port: exits 2 with the reason too', async () => {
    const blocker = (await listen(0))!;
    const port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'streamtide-port-'));
    try {
      const cli = runCli(['serve', ...isolatedFlags(dir), '--torrent-port', String(port)]);
      assert.equal((await cli.exit).code, 2, cli.stderr());
      assert.match(cli.stderr(), new RegExp(`^streamtide: --torrent-port ${port} is in use`));
    } finally {
      blocker.close();
    }
  });
});
