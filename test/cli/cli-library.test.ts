/** What a one-shot run touches: only its own torrent; the library saved in --dir is neither resumed nor lost. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { STATE_FILE } from '../../src/torrent/state-store.js';
import { isolatedFlags, runCli } from '../helpers/cli.js';
import { makeMedia } from '../helpers/media.js';

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

    const serve = runCli(['serve', ...isolatedFlags(dir)]);
    try {
      const base = (await serve.line(/^streamtide http/)).split(' ')[1]!;
      assert.deepEqual((await listed(base)).sort(), [old, dead]);
    } finally {
      serve.child.kill('SIGTERM');
      assert.equal((await serve.exit).code, 0, serve.stderr());
    }
  });
});
