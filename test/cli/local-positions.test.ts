/**
 * Play positions of a local file (`streamtide ./film.mkv`) are kept across restarts as a torrent's are: the
 * built CLI stopped and started again on the same folder answers the position a player put, and so the web
 * player offers to resume there, and so does `--player`. A positions file that cannot be read is moved aside,
 * not written over.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LOCAL_POSITIONS_FILE } from '../../src/catalog/local-positions.js';
import { isolatedFlags, runCli } from '../helpers/cli.js';
import { fakePlayer } from '../helpers/fake-player.js';
import { makeMedia } from '../helpers/media.js';

/** One session of the CLI on `file`: `during` gets the file's position URL; SIGTERM ends it (exit 0). */
async function session<T>(dir: string, file: string, during: (url: string) => Promise<T>): Promise<T> {
  const cli = runCli([file, ...isolatedFlags(dir), '--quiet']);
  try {
    const stream = new URL((await cli.line(/^stream: /)).slice('stream: '.length));
    const [, , infoHash, index] = stream.pathname.split('/');
    return await during(`${stream.origin}/api/torrents/${infoHash}/files/${index}/position`);
  } finally {
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exit).code, 0, cli.stderr());
  }
}

const seconds = async (url: string) => ((await (await fetch(url)).json()) as { seconds: number }).seconds;

describe('play positions of local files', () => {
  it('are kept across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamtide-local-positions-'));
    const film = await makeMedia('mkv-h264-aac', { seconds: 20 });
    await session(dir, film, async (url) => {
      assert.equal(await seconds(url), 0, 'never played');
      const put = await fetch(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seconds: 12.5 }),
      });
      assert.equal(put.status, 200, await put.text());
    });
    // Written at the stop, not only after the coalescing delay.
    assert.equal(await session(dir, film, seconds), 12.5);
  });

  it('resume --player where mpv quit, in the next run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamtide-local-positions-player-'));
    const film = await makeMedia('mkv-h264-aac', { seconds: 20 });
    const play = async (binary: string, env: NodeJS.ProcessEnv = {}) => {
      const fake = fakePlayer(binary);
      const cli = runCli([film, ...isolatedFlags(dir), '--quiet', '--player', binary], {
        PATH: `${fake.bin}:${process.env.PATH}`,
        ...env,
      });
      assert.equal((await cli.exit).code, 0, cli.stderr());
      return fake.run().args;
    };
    await play('mpv', { FAKE_MPV_TIME_POS: '8.5' });
    assert.ok((await play('vlc')).includes('--start-time=8.5'));
  });

  it('start afresh beside an unreadable positions file, which is kept aside', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamtide-local-positions-bad-'));
    writeFileSync(join(dir, LOCAL_POSITIONS_FILE), '{"truncated": ');
    const film = await makeMedia('mkv-h264-aac', { seconds: 20 });
    assert.equal(await session(dir, film, seconds), 0);
    const aside = readdirSync(dir).filter((name) => name.startsWith(`${LOCAL_POSITIONS_FILE}.unreadable-`));
    assert.equal(aside.length, 1);
    assert.equal(readFileSync(join(dir, aside[0]!), 'utf8'), '{"truncated": ');
  });
});
