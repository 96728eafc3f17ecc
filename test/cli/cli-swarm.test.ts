/** The built CLI against a loopback swarm: a magnet in, `stream:` out, --list and --file, a clean SIGINT. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isolatedFlags, runCli } from '../helpers/cli.js';
import { ffprobe, makeMedia } from '../helpers/media.js';
import { childProcesses } from '../helpers/processes.js';
import { type Seeder, startSeeder } from '../helpers/swarm.js';

let seeder: Seeder;
let torrentPath: string;
const dir = () => mkdtempSync(join(tmpdir(), 'streamtide-cli-swarm-'));

before(async () => {
  const content = mkdtempSync(join(tmpdir(), 'streamtide-cli-content-'));
  const folder = join(content, 'Pack');
  mkdirSync(folder);
  copyFileSync(await makeMedia('mkv-h264-aac', { seconds: 6 }), join(folder, 'Big.mkv'));
  copyFileSync(await makeMedia('mp4'), join(folder, 'Small.mp4'));
  writeFileSync(join(folder, 'notes.txt'), 'hello\n');
  seeder = await startSeeder(folder);
  torrentPath = join(content, 'pack.torrent');
  writeFileSync(torrentPath, seeder.torrentFile);
});
after(() => seeder?.close());

describe('streamtide MAGNET', () => {
  it('picks the largest video, prints stream:, serves valid video, and stops on SIGINT leaving no child', async () => {
    const cli = runCli([seeder.magnet, ...isolatedFlags(dir()), '--quiet']);
    try {
      const url = (await cli.line(/^stream: /)).slice('stream: '.length);
      const response = await fetch(url);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-stream-mode'), 'remux');
      const probed = await ffprobe(Buffer.from(await response.arrayBuffer()));
      assert.deepEqual(
        probed.streams.map((s) => s.codec_name),
        ['h264', 'aac'],
      );
      const files = (await (
        await fetch(url.replace(/\/stream\/([0-9a-f]+)\/\d+$/, '/api/torrents/$1'))
      ).json()) as {
        files: Array<{ index: number; name: string }>;
      };
      const chosen = Number(url.split('/').pop());
      assert.equal(files.files.find((f) => f.index === chosen)?.name, 'Big.mkv');
      cli.child.kill('SIGINT');
      assert.equal((await cli.exit).code, 0);
      assert.deepEqual(childProcesses('ffmpeg', cli.child.pid!), []);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('--list prints every file with its index and exits 0', async () => {
    const cli = runCli([torrentPath, ...isolatedFlags(dir()), '--list']);
    const { code } = await cli.exit;
    assert.equal(code, 0, cli.stderr());
    const lines = cli.stdout().trim().split('\n');
    assert.equal(lines.length, 3);
    for (const name of ['Big.mkv', 'Small.mp4', 'notes.txt']) {
      assert.ok(
        lines.some((line) => /^\s*\d+\s/.test(line) && line.endsWith(name)),
        `${name} in ${cli.stdout()}`,
      );
    }
  });

  it('--file chooses the file, here a direct MP4', async () => {
    const list = runCli([torrentPath, ...isolatedFlags(dir()), '--list']);
    await list.exit;
    const line = list
      .stdout()
      .split('\n')
      .find((l) => l.endsWith('Small.mp4'))!;
    const index = Number(line.trim().split(/\s+/)[0]);
    // The magnet carries the seeder's address; the bare .torrent names no peer or tracker.
    const cli = runCli([seeder.magnet, ...isolatedFlags(dir()), '--quiet', '--file', String(index)]);
    try {
      const url = (await cli.line(/^stream: /)).slice('stream: '.length);
      assert.ok(url.endsWith(`/${index}`));
      const head = await fetch(url, { method: 'HEAD' });
      assert.equal(head.headers.get('x-stream-mode'), 'direct');
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal((await cli.exit).code, 0);
    }
  });

  it('--file past the last file exits 2 with the reason', async () => {
    const cli = runCli([torrentPath, ...isolatedFlags(dir()), '--file', '9']);
    try {
      assert.equal((await cli.exit).code, 2);
      assert.match(cli.stderr(), /--file 9: the torrent has 3 file/);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('--json prints a ready line with the URLs', async () => {
    const cli = runCli([seeder.magnet, ...isolatedFlags(dir()), '--json']);
    try {
      const line = await cli.line(/"type":"ready"/);
      const ready = JSON.parse(line) as { infoHash: string; stream: string; player: string };
      assert.equal(ready.infoHash, seeder.infoHash);
      assert.match(ready.stream, /\/stream\//);
      assert.match(ready.player, /\/play\//);
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal((await cli.exit).code, 0);
    }
  });
});
