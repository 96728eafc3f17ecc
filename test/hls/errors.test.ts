/**
 * What HLS answers when it cannot serve: 404 for what does not exist (torrent, file, a rendition the plan
 * does not have, a segment past the end), 400 for an audio past the file's, 415 for a file that is not
 * media, 502 with FFmpeg's last stderr lines when FFmpeg fails before a segment, 502 for a segment the
 * source has no media in (a damaged file, asked once, not retried forever), 503 past the process limits
 * once a short wait for a slot found none (a run nobody waits on any more gives its slot up).
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';
import { eventually } from '../helpers/eventually.js';
import { makeMedia } from '../helpers/media.js';
import { ffmpegWrapper } from '../helpers/processes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let work: string;
const servers: TestServer[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'streamtide-hls-errors-'));
});
after(async () => {
  for (const server of servers) await server.close();
  await rm(work, { recursive: true, force: true });
});

async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const started = await startTestServer({ hlsCacheDir: join(work, `cache-${servers.length}`), ...options });
  servers.push(started);
  return started;
}

/** The file's HLS base URL on `on` (a local file added to its catalog). */
async function hlsBase(on: TestServer, path: string): Promise<string> {
  const entry = await on.catalog.addLocalFile(path);
  return `${on.url}/hls/${entry.infoHash}/0`;
}

async function answer(
  url: string,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url);
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {}
  return { status: response.status, body, headers: response.headers };
}

describe('HLS errors', () => {
  it('404 for an unknown torrent or file, a rendition the plan lacks, a segment past the end', async () => {
    const on = await server();
    const unknown = `${on.url}/hls/${'ab'.repeat(20)}/0`;
    for (const part of ['master.m3u8', 'video-copy/index.m3u8', 'video-copy/init.mp4', 'video-copy/0.m4s']) {
      assert.equal((await answer(`${unknown}/${part}`)).status, 404, part);
    }
    const base = await hlsBase(on, await makeMedia('mkv-h264-aac', { seconds: 14 }));
    assert.equal((await answer(`${base.slice(0, -1)}5/master.m3u8`)).status, 404, 'file 5 of one');
    assert.equal((await answer(`${base}/master.m3u8`)).status, 200);
    for (const part of ['video-h264/index.m3u8', 'audio0-aac/init.mp4', 'audio3-copy/0.m4s']) {
      const { status, body } = await answer(`${base}/${part}`);
      assert.equal(status, 404, part);
      assert.match(String(body.error), /no HLS rendition/);
    }
    const playlist = await (await fetch(`${base}/video-copy/index.m3u8`)).text();
    const count = playlist.split('\n').filter((l) => l.startsWith('#EXTINF')).length;
    assert.equal((await answer(`${base}/video-copy/${count - 1}.m4s`)).status, 200, 'the last segment');
    for (const k of [count, 999_999]) {
      assert.equal((await answer(`${base}/video-copy/${k}.m4s`)).status, 404, `segment ${k}`);
    }
    assert.equal((await answer(`${base}/master.m3u8?audio=1`)).status, 400, 'audio=1 of one audio stream');
  });

  it('415 for a file that is not media', async () => {
    const on = await server();
    const notes = join(work, 'notes.txt');
    await writeFile(notes, 'not a film\n'.repeat(1000));
    const base = await hlsBase(on, notes);
    for (const part of ['master.m3u8', 'video-copy/index.m3u8', 'audio0-aac/0.m4s']) {
      assert.equal((await answer(`${base}/${part}`)).status, 415, part);
    }
  });

  it('502 with FFmpeg’s last stderr lines when FFmpeg fails before the segment', async () => {
    const real = await locateFfmpeg();
    const failing = ffmpegWrapper(
      join(work, 'ffmpeg-fails'),
      real.ffmpeg,
      () => 'echo "first: some context" >&2\necho "boom: the encoder refuses" >&2\nexit 1',
    );
    const on = await server({ tools: { ...real, ffmpeg: failing } });
    const base = await hlsBase(on, await makeMedia('mkv-h264-aac', { seconds: 14 }));
    assert.equal((await answer(`${base}/master.m3u8`)).status, 200, 'the playlists need no FFmpeg');
    assert.equal((await answer(`${base}/video-copy/index.m3u8`)).status, 200);
    for (const part of ['video-copy/init.mp4', 'video-copy/2.m4s', 'audio0-copy/0.m4s']) {
      const { status, body } = await answer(`${base}/${part}`);
      assert.equal(status, 502, part);
      assert.match(String(body.error), /boom: the encoder refuses/);
      assert.deepEqual(body.stderr, ['first: some context', 'boom: the encoder refuses'], part);
    }
  });

  it('502 for segments past where a file is damaged, without restarting FFmpeg for ever', {
    timeout: 60_000,
  }, async () => {
    const real = await locateFfmpeg();
    const log = join(work, 'damaged.log');
    await writeFile(log, '');
    const ffmpeg = ffmpegWrapper(
      join(work, 'ffmpeg-logs'),
      real.ffmpeg,
      (q) => `echo x >> '${log}'\nexec ${q} "$@"`,
    );
    const on = await server({ tools: { ...real, ffmpeg } });
    // A whole header and the first seconds, then noise: the probe reads the duration, there is no index.
    const damaged = join(work, 'damaged.mkv');
    await copyFile(await makeMedia('mkv-h264-aac', { seconds: 14 }), damaged);
    const { size } = await stat(damaged);
    const file = await open(damaged, 'r+');
    const noise = Buffer.alloc(size - Math.floor(size * 0.3), 0x5a);
    await file.write(noise, 0, noise.length, Math.floor(size * 0.3));
    await file.close();
    const base = await hlsBase(on, damaged);
    assert.equal((await answer(`${base}/master.m3u8`)).status, 200);
    const playlist = await (await fetch(`${base}/video-h264/index.m3u8`)).text();
    const last = playlist.split('\n').filter((l) => l.startsWith('#EXTINF')).length - 1;
    assert.equal((await answer(`${base}/video-h264/0.m4s`)).status, 200, 'the undamaged start');
    for (const k of [last, last - 1]) {
      const { status, body } = await answer(`${base}/video-h264/${k}.m4s`);
      assert.equal(status, 502, `segment ${k}`);
      assert.match(String(body.error), /no media in segment/);
    }
    const runs = (await readFile(log, 'utf8')).split('\n').filter(Boolean).length;
    assert.ok(runs <= 3, `${runs} FFmpeg runs`);
  });

  it('503 past the FFmpeg process limit, and for encoded video past the transcode limit', async () => {
    const none = await server({ maxFfmpeg: 0, slotWaitMs: 1 });
    const base = await hlsBase(none, await makeMedia('mkv-h264-aac', { seconds: 14 }));
    assert.equal((await answer(`${base}/master.m3u8`)).status, 200);
    for (const part of ['video-copy/init.mp4', 'audio0-copy/1.m4s']) {
      const { status, headers } = await answer(`${base}/${part}`);
      assert.equal(status, 503, part);
      assert.ok(headers.get('retry-after'), 'says when to come back');
    }
    const noTranscodes = await server({ maxTranscodes: 0, slotWaitMs: 1 });
    const avi = await hlsBase(noTranscodes, await makeMedia('avi-mpeg4-mp3', { seconds: 14 }));
    assert.equal((await answer(`${avi}/video-h264/0.m4s`)).status, 503, 'encoded video');
    assert.equal((await answer(`${avi}/audio0-aac/0.m4s`)).status, 200, 'audio is not a transcode slot');
  });

  it('a run paused ahead of its viewers gives its transcode slot to a request for another file', async () => {
    const one = await server({ maxTranscodes: 1 });
    const first = await hlsBase(one, await makeMedia('avi-mpeg4-mp3', { seconds: 30 }));
    assert.equal((await answer(`${first}/video-h264/0.m4s`)).status, 200);
    // The run of the first file makes a few segments ahead, then waits for its viewer: paused, not ended.
    const service = one.app.hls;
    const entry = one.catalog.list()[0]!;
    const paused = async () => (await service.encoders(entry.infoHash, 0)) === 1;
    assert.ok(await paused(), 'the first run is still there, waiting');
    const second = await hlsBase(one, await makeMedia('avi-mpeg4-mp3', { seconds: 20, name: 'second-avi' }));
    assert.equal(
      (await answer(`${second}/video-h264/2.m4s`)).status,
      200,
      'not a 503: the paused run gave way',
    );
  });

  it('a seek while the cap is busy is answered once the run it waits on has made its segment', {
    timeout: 60_000,
  }, async () => {
    // FFmpeg waits for a gate, so the first run is surely busy with its segment when the seek comes.
    const gate = join(work, 'gate');
    const real = await locateFfmpeg();
    const ffmpeg = ffmpegWrapper(
      join(work, 'ffmpeg-gated'),
      real.ffmpeg,
      (q) => `while [ ! -e '${gate}' ]; do sleep 0.05; done\nexec ${q} "$@"`,
    );
    const one = await server({ tools: { ...real, ffmpeg }, maxTranscodes: 1, slotWaitMs: 30_000 });
    const base = await hlsBase(one, await makeMedia('avi-mpeg4-mp3', { seconds: 30 }));
    const playlist = await (await fetch(`${base}/video-h264/index.m3u8`)).text();
    const last = playlist.split('\n').filter((l) => l.startsWith('#EXTINF')).length - 1;
    const infoHash = one.catalog.list()[0]!.infoHash;
    const start = answer(`${base}/video-h264/0.m4s`);
    assert.ok(await eventually(() => one.app.limits.transcodes.inUse === 1), 'the first run holds the slot');
    const seek = answer(`${base}/video-h264/${last}.m4s`);
    assert.ok(await eventually(() => one.app.limits.queue.waiting === 1), 'the seek waits for a slot');
    assert.equal(await one.app.hls.encoders(infoHash, 0), 1, 'no second run past the cap');
    await writeFile(gate, '');
    assert.equal((await start).status, 200, 'the first segment');
    assert.equal((await seek).status, 200, 'the seek: the first run, done with what was asked, gave way');
    assert.equal(one.app.limits.queue.waiting, 0);
  });

  it('a full cap held by a live stream still answers 503, after the wait; a waiter that leaves frees its place', {
    timeout: 60_000,
  }, async () => {
    const short = await server({ maxTranscodes: 1, slotWaitMs: 100 });
    const patient = await server({ maxTranscodes: 1, slotWaitMs: 30_000 });
    for (const on of [short, patient]) {
      const avi = await hlsBase(on, await makeMedia('avi-mpeg4-mp3', { seconds: 30 }));
      const hash = on.catalog.list()[0]!.infoHash;
      // A progressive transcode, its body left unread: a viewer watching holds the slot as long as it likes.
      const live = new AbortController();
      const stream = await fetch(`${on.url}/stream/${hash}/0?mode=transcode`, { signal: live.signal });
      assert.equal(stream.status, 200);
      if (on === short) {
        const { status, headers } = await answer(`${avi}/video-h264/3.m4s`);
        assert.equal(status, 503, 'nothing gave way within the wait');
        assert.ok(headers.get('retry-after'), 'says when to come back');
        assert.equal(on.app.limits.queue.waiting, 0, 'the refused request left the queue');
        live.abort();
        continue;
      }
      const leaving = new AbortController();
      const gone = fetch(`${avi}/video-h264/0.m4s`, { signal: leaving.signal });
      gone.catch(() => undefined);
      assert.ok(await eventually(() => on.app.limits.queue.waiting === 1), 'the first waits');
      const staying = answer(`${avi}/video-h264/5.m4s`);
      assert.ok(await eventually(() => on.app.limits.queue.waiting === 2), 'the second waits behind it');
      leaving.abort();
      await assert.rejects(gone, { name: 'AbortError' });
      assert.ok(await eventually(() => on.app.limits.queue.waiting === 1), 'the first left the queue');
      live.abort(); // the viewer goes: its slot comes back, to the one still waiting
      assert.equal((await staying).status, 200);
      assert.equal(on.app.limits.queue.waiting, 0);
    }
  });
});
