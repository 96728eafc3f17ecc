/**
 * Segments asked in a scrambled order, the way seeking players ask them: every other segment from the end
 * backwards, then the rest. Each request for a segment no run is near starts FFmpeg there, so neighbours
 * come from different runs (the test checks the runs did start apart). Behind the init segment, in order,
 * they must still make one stream: timestamps continuous across every boundary, for audio as for video,
 * each segment starting where the playlist says, each video segment on a keyframe, no frame lost or
 * doubled.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TIMELINE_BASE } from '../../src/stream/hls/segment-args.js';
import { type MediaKind, makeMedia } from '../helpers/media.js';
import { ffmpegWrapper } from '../helpers/processes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { HlsClient } from './hls-client.js';
import { assertContinuous, fileDuration, frameRate, frameSlots, joined, packets } from './support.js';

const SECONDS = 40;
let server: TestServer;
let work: string;
let log: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'streamtide-hls-scrambled-'));
  log = join(work, 'runs.log');
  const { locateFfmpeg } = await import('../../src/stream/ffmpeg-locate.js');
  const real = await locateFfmpeg();
  // Logs every FFmpeg command line, so the test can tell where runs started.
  const ffmpeg = ffmpegWrapper(
    join(work, 'ffmpeg'),
    real.ffmpeg,
    (q) => `echo "$*" >> '${log}'\nexec ${q} "$@"`,
  );
  // One transcode at a time, the smallest cap: each jump starts a run while the last one may still be
  // encoding segments past the one asked, which nobody waits on any more; that run gives its slot up.
  server = await startTestServer({
    hlsCacheDir: join(work, 'cache'),
    tools: { ...real, ffmpeg },
    maxTranscodes: 1,
  });
});
after(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

/** 8, 6, 4, 2, 0, then 9, 5, 1, 7, 3 for ten segments: a run started at each even one stops at the next. */
function scrambled(count: number): number[] {
  const evens = [...Array(count).keys()].filter((k) => k % 2 === 0).reverse();
  const odds = [...Array(count).keys()].filter((k) => k % 2 === 1);
  const mixed = odds.map((_, i) => odds[(i * 3) % odds.length]!);
  return [...evens, ...new Set([...mixed, ...odds])];
}

/** Where each run of a rendition's FFmpeg started (its -ss; 0 without one). */
async function runStarts(rendition: { stream: string }): Promise<number[]> {
  const lines = (await readFile(log, 'utf8'))
    .split('\n')
    .filter((l) => l.includes(`-map ${rendition.stream} `));
  return lines.map((l) => Number(/-ss (\S+)/.exec(l)?.[1] ?? 0));
}

const cases: Array<{ kind: MediaKind; caps?: string; video: string; audio: string }> = [
  { kind: 'mkv-h264-bframes', video: 'video-copy', audio: 'audio0-copy' },
  { kind: 'mkv-hevc-aac', caps: 'hevc', video: 'video-copy', audio: 'audio0-copy' },
  { kind: 'avi-mpeg4-mp3', video: 'video-h264', audio: 'audio0-aac' },
  { kind: 'ts-h264-aac', video: 'video-h264', audio: 'audio0-copy' },
];

describe('segments fetched in a scrambled order make one continuous stream', () => {
  for (const c of cases) {
    it(`${c.kind}: ${c.video}, ${c.audio}`, async () => {
      const path = await makeMedia(c.kind, { seconds: SECONDS });
      const duration = await fileDuration(path);
      const source = await packets(path);
      const entry = await server.catalog.addLocalFile(path);
      const query = c.caps === undefined ? '' : `?caps=${c.caps}`;
      const client = new HlsClient(`${server.url}/hls/${entry.infoHash}/0/master.m3u8${query}`);
      const master = await client.master();
      const renditions = [
        { uri: master.variantUri, kind: 'video', stream: '0:0' },
        { uri: master.audios[0]!.URI!, kind: 'audio', stream: '0:1' },
      ];
      assert.deepEqual(
        renditions.map((r) => r.uri.split('/')[0]),
        [c.video, c.audio],
      );
      for (const rendition of renditions) {
        const what = `${c.kind} ${rendition.uri.split('/')[0]}`;
        const playlist = await client.media(rendition.uri);
        await writeFile(log, '');
        const count = playlist.segments.length;
        assert.ok(count >= 8, `${what}: ${count} segments`);
        const segments: Buffer[] = [];
        for (const k of scrambled(count))
          segments[k] = await client.bytes(playlist.segments[k]!, playlist.url);
        const init = await client.bytes(playlist.map, playlist.url);
        const starts = await runStarts(rendition);
        assert.ok(new Set(starts).size >= 5, `${what}: runs started at ${starts.join(', ')} s`);

        // Each segment alone (behind the init): it starts where the playlist says, on a keyframe.
        const playlistStarts = playlist.durations.map((_, k) =>
          playlist.durations.slice(0, k).reduce((a, b) => a + b, 0),
        );
        for (const [k, segment] of segments.entries()) {
          const list = await packets(await joined(work, `${what}-${k}`, init, [segment]));
          assert.ok(list.length > 0, `${what}: segment ${k} has packets`);
          const frame = list.find((p) => p.duration > 0)!.duration;
          // Playlist time t is media time TIMELINE_BASE + t in every segment, whichever run made it. The
          // first packet (in decode order) is what the cut is at: an open GOP's leading pictures (x265's
          // default) come after its keyframe but are shown before it.
          const late = list[0]!.pts - TIMELINE_BASE - playlistStarts[k]!;
          assert.ok(
            Math.abs(late) <= frame + 0.002,
            `${what}: segment ${k} starts ${late.toFixed(3)} s off its playlist time`,
          );
          if (rendition.kind === 'video')
            assert.ok(list[0]!.key, `${what}: segment ${k} starts on a keyframe`);
        }

        // All of them in order: one stream, as long as the file, every frame once.
        const all = await packets(await joined(work, what, init, segments));
        const timeline = assertContinuous(all, what);
        assert.ok(
          Math.abs(timeline.end - timeline.start - duration) < 0.5,
          `${what}: ${timeline.end - timeline.start} s of ${duration} s`,
        );
        if (rendition.kind === 'video') {
          const video = source.filter((p) => p.kind === 'video');
          const frames = c.video === 'video-copy' ? video.length : frameSlots(video, await frameRate(path));
          assert.equal(all.length, frames, `${what}: every frame once`);
        } else if (rendition.uri.includes('-copy')) {
          assert.equal(
            all.length,
            source.filter((p) => p.kind === 'audio').length,
            `${what}: every packet once`,
          );
        }
      }
    });
  }
});

it('every segment of a rendition asked at once is answered, and they make one stream', {
  timeout: 60_000,
}, async () => {
  const path = await makeMedia('mkv-h264-bframes', { seconds: 36 });
  const entry = await server.catalog.addLocalFile(path);
  const client = new HlsClient(`${server.url}/hls/${entry.infoHash}/0/master.m3u8`);
  const master = await client.master();
  for (const uri of [master.variantUri, master.audios[0]!.URI!]) {
    const playlist = await client.media(uri);
    const segments = await Promise.all(playlist.segments.map((s) => client.bytes(s, playlist.url)));
    const init = await client.bytes(playlist.map, playlist.url);
    const all = await packets(await joined(work, `at-once-${uri.split('/')[0]}`, init, segments));
    const timeline = assertContinuous(all, uri);
    assert.ok(Math.abs(timeline.end - timeline.start - (await fileDuration(path))) < 0.5);
  }
});
