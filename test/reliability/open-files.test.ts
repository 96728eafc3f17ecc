/**
 * A torrent of 3 001 files against a server allowed 1 024 open files (`ulimit -n`, as many systems set it):
 * it downloads from a loopback seeder and is checked again at restart without an error, and its video
 * streams exact — the store opens files through a bounded pool, not one descriptor per file for the
 * torrent's lifetime (which ran out: EMFILE, torrent stopped, video 503).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeMedia } from '../helpers/media.js';
import { bodyBytes } from '../helpers/server.js';
import { type Seeder, startSeeder } from '../helpers/swarm.js';
import { openFds, serveCli, waitFor } from './support.js';

const FILES = 3000;
const MAX_OPEN_FILES = 1024;

let work: string;
let seeder: Seeder;
let video: Buffer;

interface TorrentView {
  progress: number;
  error?: string;
  files: Array<{ index: number; name: string }>;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-open-files-'));
  const content = join(work, 'seed', 'Many Files');
  mkdirSync(join(content, 'notes'), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    writeFileSync(join(content, 'notes', `${String(i).padStart(4, '0')}.txt`), `note ${i}\n`.repeat(8));
  }
  const mp4 = await makeMedia('mp4');
  copyFileSync(mp4, join(content, 'Movie.mp4'));
  video = readFileSync(mp4);
  // The seeder runs in this process, whose own limit is the machine's.
  seeder = await startSeeder(content);
});

after(async () => {
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

async function serve(dir: string) {
  const served = await serveCli(dir, {}, [], { maxOpenFiles: MAX_OPEN_FILES });
  const limits = readFileSync(`/proc/${served.cli.child.pid}/limits`, 'utf8');
  assert.match(limits, new RegExp(`Max open files\\s+${MAX_OPEN_FILES}\\s`), 'the ulimit applies');
  return served;
}

/** The torrent once complete or stopped: whichever comes first. */
async function settledTorrent(url: string, infoHash: string): Promise<TorrentView> {
  return waitFor(
    'the torrent to complete or stop',
    async () => {
      const torrent = (await (await fetch(`${url}/api/torrents/${infoHash}`)).json()) as TorrentView;
      return torrent.progress === 1 || torrent.error ? torrent : null;
    },
    120_000,
  );
}

describe(`a torrent of ${FILES + 1} files under ulimit -n ${MAX_OPEN_FILES}`, () => {
  it('downloads, survives a restart, and streams its video', { timeout: 240_000 }, async () => {
    const dir = join(work, 'downloads');
    let { cli, url } = await serve(dir);
    try {
      const added = await fetch(`${url}/api/torrents`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ source: seeder.magnet }),
      });
      assert.equal(added.status, 201);
      const { infoHash } = (await added.json()) as { infoHash: string };
      const downloaded = await settledTorrent(url, infoHash);
      assert.equal(downloaded.error, undefined);
      assert.equal(downloaded.progress, 1);
      assert.ok(openFds(cli.child.pid!) < MAX_OPEN_FILES / 2, `${openFds(cli.child.pid!)} open files`);

      // At start every file is opened again to check its pieces.
      cli.child.kill('SIGTERM');
      await cli.exit;
      ({ cli, url } = await serve(dir));
      const checked = await settledTorrent(url, infoHash);
      assert.equal(checked.error, undefined);
      assert.equal(checked.progress, 1);
      const movie = checked.files.find((file) => file.name === 'Movie.mp4')!;
      const response = await fetch(`${url}/stream/${infoHash}/${movie.index}`);
      assert.equal(response.status, 200);
      assert.deepEqual(await bodyBytes(response), video);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
