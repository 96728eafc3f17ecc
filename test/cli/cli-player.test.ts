/** --player: each known player, found by its binary name, gets the original bytes (mode=direct, Range). */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { isolatedFlags, runCli } from '../helpers/cli.js';
import { fakePlayer, RANGE } from '../helpers/fake-player.js';
import { makeMedia } from '../helpers/media.js';

const dir = mkdtempSync(join(tmpdir(), 'streamtide-cli-player-'));

// Player, the binary name to install it under, and the title argument(s) expected besides the URL.
const players: Array<[string, string, (title: string, url: string) => string[]]> = [
  ['mpv', 'mpv', (title, url) => [`--force-media-title=${title}`, url]],
  ['vlc', 'vlc', (title, url) => [url, `--meta-title=${title}`]],
  ['iina', 'iina-cli', (title, url) => [url, `--mpv-force-media-title=${title}`]],
  ['mplayer', 'mplayer', (title, url) => ['-title', title, url]],
  ['smplayer', 'smplayer', (title, url) => ['-media-title', title, url]],
  ['mpc-hc', 'mpc-hc64', (_title, url) => [url]],
  ['potplayer', 'PotPlayerMini64', (_title, url) => [url]],
];

describe('--player', () => {
  for (const [player, binary, expectedArgs] of players) {
    it(`${player} (as ${binary}) gets the original MKV with Range, and its exit ends the session`, async () => {
      // An MKV: what the browser URL serves remuxed, so only mode=direct gives back the file's own bytes.
      const mkv = await makeMedia('mkv-h264-aac');
      const original = readFileSync(mkv);
      const fake = fakePlayer(binary);
      const token = player === 'mpv' ? ['--token', 's3cret'] : [];
      const cli = runCli([mkv, ...isolatedFlags(dir), '--quiet', '--player', player, ...token], {
        PATH: `${fake.bin}:${process.env.PATH}`,
      });
      try {
        const streamUrl = (await cli.line(/^stream: /)).slice('stream: '.length);
        assert.equal((await cli.exit).code, 0, cli.stderr());
        // The printed URL stays the browser's; the player's is the same file with mode=direct. With a token,
        // both carry the file's capability instead: the player's command line is readable in `ps`.
        assert.doesNotMatch(streamUrl, /mode=|s3cret/);
        const base = streamUrl.replace(/\?.*$/, '');
        const run = fake.run();
        const url = run.args.find((arg) => arg.startsWith('http')) ?? '';
        if (token.length > 0) assert.match(url, new RegExp(`^${base}\\?mode=direct&cap=[\\w-]+$`));
        else assert.equal(url, `${base}?mode=direct`);
        // mpv also gets the socket its position is followed through (cli-resume.test.ts).
        const args =
          player === 'mpv' ? run.args.filter((arg) => !arg.startsWith('--input-ipc-server=')) : run.args;
        if (player === 'mpv') assert.equal(args.length, run.args.length - 1, String(run.args));
        assert.deepEqual(args, expectedArgs(basename(mkv), url));
        assert.equal(run.status, 206);
        assert.equal(run.contentRange, `bytes ${RANGE.start}-${RANGE.end}/${original.length}`);
        assert.ok(run.bytes.equals(original.subarray(RANGE.start, RANGE.end + 1)), 'exact original bytes');
      } finally {
        cli.child.kill('SIGKILL');
      }
    });
  }

  it('keeps serving and names the installed players when the chosen one is missing', async () => {
    const mp4 = await makeMedia('mp4');
    const fake = fakePlayer('mpv');
    const cli = runCli([mp4, ...isolatedFlags(dir), '--quiet', '--player', 'potplayer'], {
      PATH: `${fake.bin}:/nonexistent`,
    });
    try {
      const url = (await cli.line(/^stream: /)).slice('stream: '.length);
      const response = await fetch(url, { method: 'HEAD' });
      assert.equal(response.status, 200);
      assert.match(cli.stderr(), /streamtide: potplayer is not installed; installed players: mpv\n/);
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal((await cli.exit).code, 0);
    }
  });

  it('says so when no known player is installed', async () => {
    const mp4 = await makeMedia('mp4');
    const cli = runCli([mp4, ...isolatedFlags(dir), '--quiet', '--player', 'vlc'], { PATH: '/nonexistent' });
    try {
      await cli.line(/^stream: /);
      while (!/vlc is not installed/.test(cli.stderr())) await new Promise((r) => setTimeout(r, 50));
      assert.match(cli.stderr(), /vlc is not installed; no known player is installed/);
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal((await cli.exit).code, 0);
    }
  });

  it('exits 2 on an unknown player, listing the known and the installed ones', async () => {
    const fake = fakePlayer('vlc');
    const cli = runCli(['x.avi', '--player', 'winamp', ...isolatedFlags(dir)], { PATH: fake.bin });
    assert.equal((await cli.exit).code, 2);
    assert.match(cli.stderr(), /mpv, vlc, iina, mplayer, smplayer, mpc-hc, potplayer or none/);
    assert.match(cli.stderr(), /installed players: vlc/);
  });
});
