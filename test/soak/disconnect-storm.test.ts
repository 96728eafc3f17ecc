/**
 * Soak (npm run test:soak): a disconnect storm against `streamtide serve` in a child process. Two rounds of
 * 200 streams — direct, remux and transcode mixed — each cut at a random point (before the headers, after
 * a random number of bytes, or after a random delay), 12 at a time. After each round: no FFmpeg or ffprobe
 * left, the server's open file descriptors back at the baseline and its memory not growing round to round.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { makeMedia } from '../helpers/media.js';
import { childProcesses } from '../helpers/processes.js';
import { type Seeder, startSeeder } from '../helpers/swarm.js';
import { addAndDownload, openFds, rssBytes, serveCli, waitFor } from '../reliability/support.js';

const STREAMS = 200;
const PARALLEL = 12;

let work: string;
let seeder: Seeder;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-storm-'));
  const folder = join(work, 'content', 'Storm');
  mkdirSync(folder, { recursive: true });
  copyFileSync(await makeMedia('mkv-h264-aac', { seconds: 30, size: '640x360' }), join(folder, 'Remux.mkv'));
  copyFileSync(
    await makeMedia('avi-mpeg4-mp3', { seconds: 30, size: '320x240' }),
    join(folder, 'Transcode.avi'),
  );
  copyFileSync(await makeMedia('mp4', { seconds: 30, size: '640x360' }), join(folder, 'Direct.mp4'));
  seeder = await startSeeder(folder);
});

after(async () => {
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A small seeded PRNG: the storm is the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * One stream, cut at a random point; resolves with the status it got (0: cut before the headers). node:http
 * without an agent: no idle keep-alive connection is left to count among the server's descriptors.
 */
function stormStream(url: string, next: () => number): Promise<number> {
  const how = next();
  const limit = Math.floor(next() * 3_000_000);
  const delay = Math.floor(next() * 1500);
  return new Promise((resolve) => {
    let status = 0;
    const request = get(url, { agent: false }, (response) => {
      status = response.statusCode ?? 0;
      const cut = () => {
        request.destroy();
        resolve(status);
      };
      if (status !== 200) {
        response.resume();
        response.on('end', () => resolve(status));
        return;
      }
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (how < 0.6 && read >= limit) cut();
      });
      response.on('end', () => resolve(status));
      if (how >= 0.6) response.once('data', () => setTimeout(cut, delay));
    });
    request.on('error', () => resolve(0));
    // A cut after the response began ends with 'close' alone (no 'end', no request error): settle there too.
    request.on('close', () => resolve(status));
    if (how < 0.15) setTimeout(() => request.destroy(), Math.floor(next() * 30));
  });
}

it('200 streams cut at random points, twice: no FFmpeg left, descriptors and memory back', {
  timeout: 280_000,
}, async (t) => {
  const { cli, url } = await serveCli(mkdtempSync(join(work, 'dl-')));
  const pid = cli.child.pid!;
  const helpers = () => [...childProcesses('ffmpeg', pid), ...childProcesses('ffprobe', pid)];
  try {
    const { infoHash, files } = await addAndDownload(url, seeder.magnet);
    const urls = files.map((f) => `${url}/stream/${infoHash}/${f.index}`);
    // Warm up: probes cached, lazy modules loaded, then the baseline.
    for (const u of urls) await stormStream(u, random(1));
    await waitFor('the warm-up to settle', () => helpers().length === 0, 5000);
    const baseline = { fds: openFds(pid), rss: rssBytes(pid) };
    const rounds: Array<{ fds: number; rss: number; statuses: Record<number, number> }> = [];
    for (let round = 0; round < 2; round++) {
      const next = random(42 + round);
      const statuses: Record<number, number> = {};
      let started = 0;
      const worker = async () => {
        while (started < STREAMS) {
          started++;
          const status = await stormStream(urls[Math.floor(next() * urls.length)]!, next);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      const left = await waitFor('every FFmpeg to end', () => helpers().length === 0 || null, 5000).catch(
        () => helpers(),
      );
      assert.equal(left, true, `processes left after round ${round + 1}: ${String(left)}`);
      // Closed sockets and pipes are released on the next turns of the server's loop: bounded wait.
      const fds = await waitFor(
        'the descriptors to come back',
        () => {
          const open = openFds(pid);
          return open <= baseline.fds + 4 ? open : null;
        },
        5000,
      ).catch(() => openFds(pid));
      rounds.push({ fds, rss: rssBytes(pid), statuses });
      t.diagnostic(
        `round ${round + 1}: ${JSON.stringify(rounds.at(-1))}, baseline ${JSON.stringify(baseline)}`,
      );
      assert.ok(fds <= baseline.fds + 4, `${fds} descriptors open, ${baseline.fds} before the storm`);
      assert.ok((statuses[200] ?? 0) > STREAMS / 2, `most streams started: ${JSON.stringify(statuses)}`);
      assert.deepEqual(
        Object.keys(statuses).filter((s) => !['0', '200', '503'].includes(s)),
        [],
        'only streams, cuts and 503s',
      );
    }
    const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
    // The first round may grow the heap; a leak grows it again in the second.
    assert.ok(
      rounds[1]!.rss <= rounds[0]!.rss + 48 * 2 ** 20,
      `RSS ${mib(baseline.rss)} → ${mib(rounds[0]!.rss)} → ${mib(rounds[1]!.rss)} MiB`,
    );
    assert.ok(
      rounds[1]!.rss <= baseline.rss + 160 * 2 ** 20,
      `RSS ${mib(baseline.rss)} → ${mib(rounds[1]!.rss)} MiB`,
    );
    const health = await fetch(`${url}/api/health`);
    assert.equal(health.status, 200);
    await health.arrayBuffer();
  } finally {
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exit).code, 0);
  }
});
