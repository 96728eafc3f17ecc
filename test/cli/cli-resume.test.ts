/**
 * Resume with `--player`, the built CLI against a loopback swarm: mpv's position, read through its JSON IPC
 * (a stand-in mpv that answers on the socket as mpv does), is saved when it quits; the next run of the same
 * torrent starts mpv there (`--start=`) and VLC too (`--start-time=`); a file stopped at its end starts over.
 * Where mpv is installed, the real one too: it plays two seconds of the file each run (no window, no sound).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findOnPath } from '../../src/cli/player.js';
import { type SavedTorrent, STATE_FILE } from '../../src/torrent/state-store.js';
import { isolatedFlags, runCli } from '../helpers/cli.js';
import { fakePlayer } from '../helpers/fake-player.js';
import { makeMedia } from '../helpers/media.js';
import { type Seeder, startSeeder } from '../helpers/swarm.js';

let seeder: Seeder;
const dir = mkdtempSync(join(tmpdir(), 'streamtide-cli-resume-'));

before(async () => {
  seeder = await startSeeder(await makeMedia('mkv-h264-aac', { seconds: 60, name: 'Episode 1' }));
});
after(() => seeder?.close());

/** One `streamtide MAGNET --player NAME` session to the player's exit. */
async function session(player: string, env: NodeJS.ProcessEnv, folder = dir): Promise<void> {
  const cli = runCli([seeder.magnet, ...isolatedFlags(folder), '--quiet', '--player', player], env);
  try {
    assert.equal((await cli.exit).code, 0, cli.stderr());
  } finally {
    cli.child.kill('SIGKILL');
  }
}

/** A session with a stand-in player; its argv. */
async function watch(binary: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const fake = fakePlayer(binary);
  await session(binary, { PATH: `${fake.bin}:${process.env.PATH}`, ...env });
  return fake.run().args;
}

function savedPosition(folder = dir): { seconds: number; duration?: number } | undefined {
  const state = JSON.parse(readFileSync(join(folder, STATE_FILE), 'utf8')) as { torrents: SavedTorrent[] };
  return state.torrents.find((torrent) => torrent.infoHash === seeder.infoHash)?.positions?.['0'];
}

describe('--player resumes', () => {
  it('saves where mpv quit, and starts mpv and VLC there next time', { timeout: 90_000 }, async () => {
    const first = await watch('mpv', { FAKE_MPV_TIME_POS: '37.25' });
    assert.ok(
      first.some((arg) => arg.startsWith('--input-ipc-server=')),
      String(first),
    );
    assert.ok(!first.some((arg) => arg.startsWith('--start')), 'nothing to resume the first time');
    assert.equal(savedPosition()?.seconds, 37.25);

    const second = await watch('mpv');
    assert.ok(second.includes('--start=37.25'), String(second));
    const vlc = await watch('vlc');
    assert.ok(vlc.includes('--start-time=37.25'), String(vlc));
  });

  it('starts over a file mpv left at its end', { timeout: 90_000 }, async () => {
    await watch('mpv', { FAKE_MPV_TIME_POS: '59.5' });
    const saved = savedPosition();
    assert.equal(saved?.seconds, 59.5);
    // Held to the duration the run's probe found, which makes it "watched" rather than "stopped near the end".
    assert.ok(saved?.duration && saved.duration >= 59.5, JSON.stringify(saved));
    const next = await watch('mpv');
    assert.ok(!next.some((arg) => arg.startsWith('--start')), String(next));
  });

  it('follows the real mpv: each run starts where the last one quit', {
    timeout: 90_000,
    skip: !findOnPath('mpv') && 'needs mpv on PATH',
  }, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'streamtide-cli-mpv-'));
    // Its own config: no window, no sound, two seconds of the file from 0:20 (the command line's --start wins).
    const config = mkdtempSync(join(tmpdir(), 'streamtide-mpv-home-'));
    writeFileSync(join(config, 'mpv.conf'), 'vo=null\nao=null\nstart=20\nlength=2\nreally-quiet\n');
    const env = { MPV_HOME: config };
    await session('mpv', env, folder);
    const first = savedPosition(folder)?.seconds ?? 0;
    assert.ok(first > 21 && first <= 22.1, `saved ${first} after playing 0:20 to 0:22`);
    await session('mpv', env, folder);
    const second = savedPosition(folder)?.seconds ?? 0;
    assert.ok(second > first + 1 && second <= first + 2.1, `saved ${second} after resuming at ${first}`);
  });
});
