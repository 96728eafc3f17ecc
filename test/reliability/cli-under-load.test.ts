/**
 * The built CLI (`streamtide serve` in a child process) under load, over a loopback swarm: FFmpeg killed
 * mid-stream, many parallel requests against the FFmpeg limits, and SIGTERM with ten open streams.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ffprobe, makeMedia, tools } from '../helpers/media.js';
import { alive, childProcesses, ffmpegWrapper } from '../helpers/processes.js';
import { type Seeder, startSeeder } from '../helpers/swarm.js';
import { addAndDownload, logLines, serveCli, waitFor } from './support.js';

let work: string;
let seeder: Seeder;
const ffmpegOf = (pid: number) => childProcesses('ffmpeg', pid);
const dir = (name: string) => mkdtempSync(join(work, `${name}-`));

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-cli-load-'));
  const folder = join(work, 'content', 'Load');
  mkdirSync(folder, { recursive: true });
  copyFileSync(await makeMedia('mkv-h264-aac', { seconds: 60, size: '640x360' }), join(folder, 'Long.mkv'));
  copyFileSync(await makeMedia('avi-mpeg4-mp3', { seconds: 30, size: '320x240' }), join(folder, 'Long.avi'));
  seeder = await startSeeder(folder);
});

after(async () => {
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Opens a stream and reads its first bytes, leaving it open (FFmpeg then waits on the client). */
async function openStream(url: string): Promise<{ status: number; stop(): Promise<void> }> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  if (response.status === 200) await response.body!.getReader().read();
  else await response.arrayBuffer();
  return {
    status: response.status,
    stop: async () => controller.abort(),
  };
}

describe('FFmpeg dying mid-stream', () => {
  it('ends the response, logs the error with its stderr tail, and the next request works', {
    timeout: 50_000,
  }, async () => {
    // A stand-in FFmpeg that says something on stderr first, then becomes the real one (same PID).
    const bin = dir('bin');
    const real = await tools();
    const wrapper = ffmpegWrapper(
      join(bin, 'ffmpeg'),
      real.ffmpeg,
      (ffmpeg) => `echo "wrapper: about to run ffmpeg" >&2\nexec ${ffmpeg} "$@"`,
    );
    const { cli, url } = await serveCli(dir('crash'), { FFMPEG_PATH: wrapper, FFPROBE_PATH: real.ffprobe });
    try {
      const { infoHash, files } = await addAndDownload(url, seeder.magnet);
      const avi = files.find((f) => f.name === 'Long.avi')!;
      const streamUrl = `${url}/stream/${infoHash}/${avi.index}`;
      const response = await fetch(streamUrl);
      assert.equal(response.status, 200);
      const reader = response.body!.getReader();
      assert.ok((await reader.read()).value!.length > 0);
      const [pid] = ffmpegOf(cli.child.pid!);
      assert.ok(pid, 'an FFmpeg serves the stream');
      process.kill(pid, 'SIGKILL');
      // The body ends: cut (the transfer was incomplete), never a clean end of a truncated video.
      await assert.rejects(async () => {
        for (;;) if ((await reader.read()).done) return;
      });
      const failure = await waitFor('the failure in the log', () =>
        logLines(cli.stdout()).find((line) => /^stream failed/.test(String(line.msg))),
      );
      assert.match(String(failure.msg), /FFmpeg was killed by SIGKILL/);
      assert.equal(failure.level, 40, 'logged as a warning');
      assert.deepEqual(failure.stderr, ['wrapper: about to run ffmpeg']);
      const again = await fetch(streamUrl);
      assert.equal(again.status, 200);
      const probed = await ffprobe(Buffer.from(await again.arrayBuffer()));
      assert.deepEqual(
        probed.streams.map((s) => s.codec_name),
        ['h264', 'mp3'],
      );
      assert.deepEqual(ffmpegOf(cli.child.pid!), []);
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal((await cli.exit).code, 0);
    }
  });
});

describe('many parallel requests from one client', () => {
  it('start at most the FFmpeg limits; the rest answer 503 with Retry-After; nothing is left after', {
    timeout: 60_000,
  }, async () => {
    const { cli, url } = await serveCli(dir('limits'));
    const pid = cli.child.pid!;
    try {
      const { infoHash, files } = await addAndDownload(url, seeder.magnet);
      const index = (name: string) => files.find((f) => f.name === name)!.index;
      const remux = `${url}/stream/${infoHash}/${index('Long.mkv')}`;
      const transcode = `${url}/stream/${infoHash}/${index('Long.avi')}`;
      // Probed once up front, so every request below reaches the limits at the same time.
      for (const u of [remux, transcode]) await (await fetch(u, { method: 'HEAD' })).arrayBuffer();
      const streams = await Promise.all([
        ...Array.from({ length: 40 }, () => openStream(remux)),
        ...Array.from({ length: 10 }, () => openStream(transcode)),
      ]);
      const ok = streams.filter((s) => s.status === 200).length;
      const busy = streams.filter((s) => s.status === 503).length;
      const maxFfmpeg = Math.max(8, availableParallelism() * 8);
      assert.equal(ok + busy, 50, 'every request is served or told to retry');
      assert.ok(ok <= maxFfmpeg, `${ok} streams started, limit ${maxFfmpeg}`);
      assert.ok(busy >= 50 - maxFfmpeg, `${busy} answered 503`);
      const transcodes = streams.slice(40).filter((s) => s.status === 200).length;
      assert.ok(transcodes <= availableParallelism(), `${transcodes} transcodes at once`);
      assert.ok(ffmpegOf(pid).length <= maxFfmpeg, `${ffmpegOf(pid).length} FFmpeg processes`);
      const retry = await fetch(remux);
      if (retry.status === 503) assert.equal(retry.headers.get('retry-after'), '5');
      await retry.body?.cancel();
      await Promise.all(streams.map((s) => s.stop()));
      await waitFor('every FFmpeg to end', () => ffmpegOf(pid).length === 0, 5000);
      const health = await fetch(`${url}/api/health`);
      assert.equal(health.status, 200);
      await health.arrayBuffer();
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal((await cli.exit).code, 0);
    }
  });
});

describe('SIGTERM under load', () => {
  it('with ten open streams: every FFmpeg gone, state saved, exit 0 within 2 s', {
    timeout: 60_000,
  }, async () => {
    const downloads = dir('sigterm');
    const { cli, url } = await serveCli(downloads);
    const pid = cli.child.pid!;
    let streams: Array<{ stop(): Promise<void> }> = [];
    try {
      const { infoHash, files } = await addAndDownload(url, seeder.magnet);
      const mkv = `${url}/stream/${infoHash}/${files.find((f) => f.name === 'Long.mkv')!.index}`;
      const streamedFrom = Date.now();
      await (await fetch(mkv, { method: 'HEAD' })).arrayBuffer();
      streams = await Promise.all(Array.from({ length: 10 }, (_, i) => openStream(`${mkv}?t=${i * 5}`)));
      const ffmpegs = ffmpegOf(pid);
      assert.equal(ffmpegs.length, 10, 'ten FFmpeg processes serve the open streams');
      const signalled = Date.now();
      cli.child.kill('SIGTERM');
      const { code } = await cli.exit;
      const elapsed = Date.now() - signalled;
      assert.equal(code, 0);
      assert.ok(elapsed < 2000, `exited ${elapsed} ms after SIGTERM`);
      assert.deepEqual(
        ffmpegs.filter((p) => alive(p)),
        [],
        'no FFmpeg outlives the CLI',
      );
      const state = JSON.parse(readFileSync(join(downloads, 'streamtide-state.json'), 'utf8')) as {
        torrents: Array<{ infoHash: string; bitfield?: string; lastStreamedAt: number }>;
      };
      const saved = state.torrents.find((t) => t.infoHash === infoHash);
      assert.ok(saved?.bitfield, 'the torrent and its progress were saved');
      // Only the shutdown saves this (the periodic save is 30 s away): the state was written on the way out.
      assert.ok(saved.lastStreamedAt >= streamedFrom, 'the last streaming time was saved');
    } finally {
      await Promise.all(streams.map((s) => s.stop()));
      cli.child.kill('SIGKILL');
    }
  });
});
