/**
 * A stream's lines on serve's terminal (a real pseudo-terminal): the torrent's "ready" line, "stream started",
 * and "stream failed" carrying FFmpeg's last stderr line, with an FFmpeg that fails on purpose; and with the
 * real FFmpeg, "stream first output" with the start's phases.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isolatedFlags, noTerminal, runCliInTerminal } from '../helpers/cli.js';
import { makeMedia, tools } from '../helpers/media.js';
import { ffmpegWrapper } from '../helpers/processes.js';
import { type Seeder, startSeeder } from '../helpers/swarm.js';
import { addAndDownload } from '../reliability/support.js';

let work: string;
let seeder: Seeder;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-serve-logs-stream-'));
  const folder = join(work, 'content', 'Clips');
  mkdirSync(folder, { recursive: true });
  copyFileSync(await makeMedia('mkv-h264-aac', { seconds: 2 }), join(folder, 'Clip.mkv'));
  seeder = await startSeeder(folder);
});

after(async () => {
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

/** An `ffmpeg` that tells its version (so it is accepted) and fails every real run with one stderr line. */
function failingFfmpeg(real: string): string {
  mkdirSync(join(work, 'bin'), { recursive: true });
  return ffmpegWrapper(
    join(work, 'bin', 'ffmpeg'),
    real,
    (ffmpeg) =>
      `if [ "$1" = "-version" ]; then exec ${ffmpeg} "$@"; fi\necho "wrapper: no stream today" >&2\nexit 1`,
  );
}

describe('a stream on serve terminal', { skip: noTerminal }, () => {
  it('logs ready, stream started, and stream failed with FFmpeg stderr line', async () => {
    const real = await tools();
    const cli = runCliInTerminal(['serve', ...isolatedFlags(join(work, 'downloads'))], {
      NO_COLOR: '1',
      FFMPEG_PATH: failingFfmpeg(real.ffmpeg),
      FFPROBE_PATH: real.ffprobe,
    });
    try {
      const url = /streamtide (http:\/\/\S+)/.exec(await cli.line(/streamtide http:\/\//))![1]!;
      const { infoHash, files } = await addAndDownload(url, seeder.magnet);
      assert.match(await cli.line(/ ready /), /INFO: ready "Clips" \(\w{4}…\w{2}\): 1 file, /);
      const clip = files.find((file) => file.name === 'Clip.mkv')!;
      const response = await fetch(`${url}/stream/${infoHash}/${clip.index}?mode=remux`);
      assert.equal(response.status, 502);
      await response.arrayBuffer();
      assert.match(await cli.line(/ stream started /), /INFO: stream started "Clip\.mkv" \(remux\)$/);
      assert.match(
        await cli.line(/ stream failed /),
        /^\d\d:\d\d:\d\d WARN: stream failed "Clip\.mkv" \(remux\): FFmpeg failed before the first byte: .*wrapper: no stream today$/,
      );
      process.kill(cli.cliPid(), 'SIGINT');
      assert.equal((await cli.exit).code, 0);
    } finally {
      cli.child.stdin?.end();
      cli.child.kill();
    }
  });

  it('logs the first output with where the start went, in the order it went', async () => {
    const real = await tools();
    const cli = runCliInTerminal(['serve', ...isolatedFlags(join(work, 'downloads-phases'))], {
      NO_COLOR: '1',
      FFMPEG_PATH: real.ffmpeg,
      FFPROBE_PATH: real.ffprobe,
    });
    try {
      const url = /streamtide (http:\/\/\S+)/.exec(await cli.line(/streamtide http:\/\//))![1]!;
      const { infoHash, files } = await addAndDownload(url, seeder.magnet);
      const clip = files.find((file) => file.name === 'Clip.mkv')!;
      const response = await fetch(`${url}/stream/${infoHash}/${clip.index}?mode=remux`);
      assert.equal(response.status, 200);
      await response.arrayBuffer();
      // Downloaded before it was asked for: a warm start, counted from its request. Its header declares
      // every track progressive, so the stream starts on the header's plan and its probe may finish after
      // the first output: the line names the phases known by then, in order.
      assert.match(
        await cli.line(/ stream first output /),
        /^\d\d:\d\d:\d\d INFO: stream first output "Clip\.mkv" \(remux\): first byte \d+ ms, (probed \d+ ms, )?first output \d+ ms after the request$/,
      );
      process.kill(cli.cliPid(), 'SIGINT');
      assert.equal((await cli.exit).code, 0);
    } finally {
      cli.child.stdin?.end();
      cli.child.kill();
    }
  });
});
