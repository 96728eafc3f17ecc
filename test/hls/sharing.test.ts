/**
 * Viewers share what does not depend on them: two viewers of a file whose plans name the same rendition —
 * whichever audio each made the default, whatever caps each sent that do not change the rendition — get
 * its segments from one FFmpeg run. A rendition is keyed by what decides its bytes, not by how the master
 * playlist presents it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';
import { makeMedia } from '../helpers/media.js';
import { ffmpegWrapper } from '../helpers/processes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { HlsClient } from './hls-client.js';

let work: string;
let log: string;
let server: TestServer;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'streamtide-hls-sharing-'));
  log = join(work, 'ffmpeg.log');
  const real = await locateFfmpeg();
  const ffmpeg = ffmpegWrapper(
    join(work, 'ffmpeg'),
    real.ffmpeg,
    (q) => `echo "$*" >> '${log}'\nexec ${q} "$@"`,
  );
  server = await startTestServer({ hlsCacheDir: join(work, 'hls'), tools: { ...real, ffmpeg } });
});
after(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

/** FFmpeg runs per mapped stream since the log was cleared. */
async function runsPerStream(): Promise<Record<string, number>> {
  const runs: Record<string, number> = {};
  for (const line of (await readFile(log, 'utf8')).split('\n').filter(Boolean)) {
    const map = /-map (\S+)/.exec(line)![1]!;
    runs[map] = (runs[map] ?? 0) + 1;
  }
  return runs;
}

/** What a viewer with `query` gets of each rendition of the master: its init and first segments. */
async function watch(url: string, renditions: string[]): Promise<Buffer[]> {
  const client = new HlsClient(url);
  const master = await client.master();
  const uris = [master.variantUri, ...master.audios.map((a) => a.URI!)];
  return Promise.all(
    renditions.map(async (id) => {
      const playlist = await client.media(uris.find((u) => u.startsWith(`${id}/`))!);
      const parts = [await client.bytes(playlist.map, playlist.url)];
      for (const uri of playlist.segments.slice(0, 2)) parts.push(await client.bytes(uri, playlist.url));
      return Buffer.concat(parts);
    }),
  );
}

it('viewers who chose different default audio share the video and each audio rendition', async () => {
  const entry = await server.catalog.addLocalFile(await makeMedia('mkv-multi-audio', { seconds: 14 }));
  await writeFile(log, '');
  const master = `${server.url}/hls/${entry.infoHash}/0/master.m3u8`;
  const renditions = ['video-copy', 'audio0-copy', 'audio1-aac'];
  const [first, second] = await Promise.all([
    watch(`${master}?audio=0`, renditions),
    watch(`${master}?audio=1`, renditions),
  ]);
  assert.deepEqual(first, second);
  assert.deepEqual(await runsPerStream(), { '0:0': 1, '0:1': 1, '0:2': 1 });
});

it('viewers with different caps share the renditions their caps do not change', async () => {
  const entry = await server.catalog.addLocalFile(await makeMedia('mkv-multi-audio', { seconds: 12 }));
  await writeFile(log, '');
  const master = `${server.url}/hls/${entry.infoHash}/0/master.m3u8`;
  // caps=ac3 copies the AC-3 (audio1-copy); the video and the AAC are the same renditions for both.
  const [first, second] = await Promise.all([
    watch(`${master}?caps=hevc`, ['video-copy', 'audio0-copy', 'audio1-aac']),
    watch(`${master}?caps=ac3`, ['video-copy', 'audio0-copy', 'audio1-copy']),
  ]);
  assert.deepEqual(first.slice(0, 2), second.slice(0, 2));
  assert.deepEqual(await runsPerStream(), { '0:0': 1, '0:1': 1, '0:2': 2 });
});

it('a player starting far asks the video, then the audio init: one audio run, where the video is', async () => {
  const entry = await server.catalog.addLocalFile(await makeMedia('mkv-h264-aac', { seconds: 40 }));
  await writeFile(log, '');
  const client = new HlsClient(`${server.url}/hls/${entry.infoHash}/0/master.m3u8`);
  const master = await client.master();
  const video = await client.media(master.variantUri);
  const audio = await client.media(master.audios[0]!.URI!);
  const far = video.segments.length - 2;
  // As hls.js resuming far in: the video's init, its segment there, then the audio's init and segment.
  await client.bytes(video.map, video.url);
  await client.bytes(video.segments[far]!, video.url);
  await client.bytes(audio.map, audio.url);
  await client.bytes(audio.segments[far]!, audio.url);
  const runs = await runsPerStream();
  assert.equal(runs['0:1'], 1, 'the audio init started its run where the video was asked, not at 0');
});
