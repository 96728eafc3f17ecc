/**
 * WebVTT subtitle renditions over HTTP, from a torrent on a loopback swarm holding an MKV (a SubRip stream
 * and a PGS one) and a Latin-1 .srt beside it: the master lists the text stream and the file as SUBTITLES
 * renditions (not the image stream), each playlist is a complete VOD one cut like the video, the cues of all
 * segments together are the source's in playlist time, and FFmpeg as an HLS client reads the master and
 * each subtitle playlist.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import iconv from 'iconv-lite';
import { VTT_SEGMENT_HEADER } from '../../src/stream/hls/vtt-segments.js';
import { type Cue, escapeCueText, parseCues } from '../../src/stream/vtt.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { extinfs, mediaTags, uris } from '../helpers/m3u8.js';
import { makeTracksMedia, tools } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

const run = promisify(execFile);
const TOKEN = 'hls-subs-token';

/**
 * Keyframes every second: the video is cut near 4 and 8 s (or 2, 6 and 10 s with a short first segment).
 * Two cues are long enough to cross a cut either way, so they belong to two segments each.
 */
const embeddedCues = [
  { start: 500, end: 1500, text: 'First cue' },
  { start: 3500, end: 6500, text: 'Across <i>the</i> cut' },
  { start: 7000, end: 7800, text: 'Fish & chips' },
  { start: 7900, end: 10_500, text: 'Second cut too' },
  { start: 11_000, end: 11_500, text: 'Last cue' },
];
const frenchSrt =
  '1\r\n00:00:01,000 --> 00:00:02,500\r\nCafé crème\r\n\r\n2\r\n00:00:03,500 --> 00:00:06,500\r\nÀ bientôt\r\n';
const frenchCues = [
  { start: 1000, end: 2500, text: 'Café crème' },
  { start: 3500, end: 6500, text: 'À bientôt' },
];

let seeder: Seeder;
let engine: TorrentEngine;
let server: TestServer;
let master: string;
let masterUrl: string;
/** The SubRip stream's cues in playlist time: as stored (the muxer may shift them), minus the start time. */
let storedCues: Cue[];
let streamDefault: boolean;
const temps: string[] = [];

const withToken = (url: string) => `${url}${url.includes('?') ? '&' : '?'}token=${TOKEN}`;
const get = (url: string) => fetch(withToken(url));

const unique = (cues: Cue[]) =>
  [...new Map(cues.map((c) => [JSON.stringify([c.start, c.end, c.text]), c])).values()].sort(
    (a, b) => a.start - b.start,
  );

/** The torrent's files once its metadata is in (polled as a client would; the deadline bounds a broken run). */
async function metadata(infoHash: string): Promise<Array<{ name: string; index: number }>> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const torrent = (await (await get(`${server.url}/api/torrents/${infoHash}`)).json()) as {
      ready: boolean;
      files: Array<{ name: string; index: number }>;
    };
    if (torrent.ready) return torrent.files;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the torrent never got its metadata');
}

before(async () => {
  const content = mkdtempSync(join(tmpdir(), 'streamtide-hls-subs-content-'));
  const downloads = mkdtempSync(join(tmpdir(), 'streamtide-hls-subs-dl-'));
  temps.push(content, downloads);
  const folder = join(content, 'Film');
  mkdirSync(folder);
  const mkv = await makeTracksMedia({ seconds: 12, name: 'tracks-12s-hls-subs', cues: embeddedCues });
  copyFileSync(mkv, join(folder, 'Film.mkv'));
  writeFileSync(join(folder, 'Film.fr.srt'), iconv.encode(frenchSrt, 'latin1'));
  const { stdout } = await run((await tools()).ffprobe, [
    ...['-v', 'error', '-select_streams', '3', '-of', 'json', '-show_entries'],
    ...['packet=pts_time,duration_time:stream_disposition=default:format=start_time', mkv],
  ]);
  const probed = JSON.parse(stdout) as {
    packets: Array<{ pts_time: string; duration_time: string }>;
    streams: Array<{ disposition: { default: number } }>;
    format: { start_time?: string };
  };
  const ms = (seconds: string | undefined) => Math.round(Number(seconds ?? 0) * 1000);
  storedCues = probed.packets.map((p, i) => ({
    start: ms(p.pts_time) - ms(probed.format.start_time),
    end: ms(p.pts_time) + ms(p.duration_time) - ms(probed.format.start_time),
    text: embeddedCues[i]!.text,
  }));
  assert.equal(storedCues.length, embeddedCues.length);
  streamDefault = probed.streams[0]?.disposition.default === 1;

  seeder = await startSeeder(folder);
  engine = await startTestEngine(downloads, { utp: false });
  server = await startTestServer({ torrents: engine, token: TOKEN });
  const added = await fetch(withToken(`${server.url}/api/torrents`), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: seeder.magnet }),
  });
  assert.equal(added.status, 201);
  const { infoHash } = (await added.json()) as { infoHash: string };
  const index = (await metadata(infoHash)).find((f) => f.name === 'Film.mkv')!.index;
  masterUrl = withToken(`${server.url}/hls/${infoHash}/${index}/master.m3u8`);
  const response = await fetch(masterUrl);
  assert.equal(response.status, 200);
  master = await response.text();
});

after(async () => {
  await server?.close();
  await engine?.destroy();
  await seeder?.close();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('HLS subtitle renditions', () => {
  it('the master lists the text stream and the .srt as SUBTITLES, not the image stream', () => {
    const subtitles = mediaTags(master, 'SUBTITLES');
    assert.equal(subtitles.length, 2, master);
    const [embedded, file] = subtitles as [Record<string, string>, Record<string, string>];
    assert.equal(embedded.NAME, '"English"');
    assert.equal(embedded.LANGUAGE, '"en"');
    assert.equal(embedded.DEFAULT, streamDefault ? 'YES' : 'NO');
    assert.equal(embedded.FORCED, 'NO');
    assert.equal(embedded['GROUP-ID'], '"subs"');
    assert.equal(embedded.URI, `"subtitles-s3/index.m3u8?token=${TOKEN}"`);
    assert.equal(file.NAME, '"Film.fr.srt"');
    assert.equal(file.LANGUAGE, '"fr"');
    assert.equal(file.DEFAULT, 'NO');
    assert.match(file.URI ?? '', /^"subtitles-f\d+\/index\.m3u8\?token=hls-subs-token"$/);
    assert.match(master, /#EXT-X-STREAM-INF:.*SUBTITLES="subs"/);
  });

  it('each subtitle playlist is complete VOD, cut like the video; its segments hold exactly the source cues', async () => {
    const video = await (await fetch(new URL(uris(master)[0]!, masterUrl))).text();
    const cuts = extinfs(video);
    assert.ok(cuts.length >= 3, `the video has ${cuts.length} segments`);
    // Segment spans in ms, from the EXTINFs (whole milliseconds, so exact).
    const edges = [0];
    for (const d of cuts) edges.push(edges.at(-1)! + Math.round(Number.parseFloat(d) * 1000));

    const expected = [storedCues, frenchCues];
    for (const [k, tag] of mediaTags(master, 'SUBTITLES').entries()) {
      const playlistUrl = new URL(tag.URI!.slice(1, -1), masterUrl);
      const response = await fetch(playlistUrl);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/vnd.apple.mpegurl');
      const playlist = await response.text();
      assert.match(playlist, /#EXT-X-PLAYLIST-TYPE:VOD\n/);
      assert.match(playlist, /#EXT-X-ENDLIST\n$/);
      assert.doesNotMatch(playlist, /EXT-X-MAP/);
      assert.deepEqual(extinfs(playlist), cuts, 'the video’s segment times');
      assert.deepEqual(
        uris(playlist),
        cuts.map((_, i) => `${i}.vtt?token=${TOKEN}`),
      );

      const wanted = expected[k]!.map((c) => ({ ...c, text: escapeCueText(c.text) }));
      const all: Cue[] = [];
      for (const [n, uri] of uris(playlist).entries()) {
        const segment = await fetch(new URL(uri, playlistUrl));
        assert.equal(segment.status, 200, uri);
        assert.equal(segment.headers.get('content-type'), 'text/vtt; charset=utf-8');
        const text = await segment.text();
        assert.ok(text.startsWith(VTT_SEGMENT_HEADER), text);
        // Exactly the source's cues overlapping [start, end) of the segment; the last one has no end.
        const end = n + 1 < cuts.length ? edges[n + 1]! : Number.POSITIVE_INFINITY;
        const overlapping = wanted.filter((c) => c.start < end && c.end > edges[n]!);
        assert.deepEqual(parseCues(text), overlapping, `segment ${n}`);
        all.push(...overlapping);
      }
      assert.deepEqual(unique(all), wanted);
      assert.ok(all.length > wanted.length, 'a cue across a cut is in both segments');
    }
  });

  it('answers 404 for image subtitles, unknown renditions and parts a WebVTT rendition lacks', async () => {
    const base = masterUrl.slice(0, masterUrl.indexOf('master.m3u8'));
    const mkv = /\/hls\/[0-9a-f]+\/(\d+)\//.exec(masterUrl)![1];
    const file = /subtitles-f(\d+)/.exec(master)![1];
    for (const path of [
      'subtitles-s4/index.m3u8', // PGS: pictures, not text
      'subtitles-s4/0.vtt',
      'subtitles-s1/0.vtt', // audio
      'subtitles-s9/index.m3u8',
      `subtitles-f${mkv}/index.m3u8`, // the video, not a subtitle file
      `subtitles-f${file}/init.mp4`,
      `subtitles-f${file}/0.m4s`,
      `subtitles-f${file}/99.vtt`,
      'video-copy/0.vtt',
    ]) {
      const response = await get(`${base}${path}`);
      assert.equal(response.status, 404, path);
      await response.arrayBuffer();
    }
  });

  it('FFmpeg as an HLS client reads the master and each subtitle playlist', async () => {
    const { ffmpeg, ffprobe } = await tools();
    // The master, SUBTITLES entries included, parses and every audio and video segment is read (copied: the
    // decoding of those renditions is the video/audio suites' business). FFmpeg 4 and 5 skip a master's
    // subtitle renditions (newer ones read them), so the streams may or may not include WebVTT.
    const decoded = await run(ffmpeg, [
      '-v',
      'error',
      '-i',
      masterUrl,
      ...['-map', '0', '-c', 'copy', '-f', 'null', '-'],
    ]);
    assert.equal(decoded.stderr, '');
    const show = ['-show_entries', 'stream=codec_type,codec_name', '-of', 'json'];
    const probed = await run(ffprobe, ['-v', 'error', ...show, masterUrl]);
    const kinds = (
      JSON.parse(probed.stdout) as { streams: Array<{ codec_type: string; codec_name: string }> }
    ).streams
      .map((s) => `${s.codec_type}:${s.codec_name}`)
      .filter((kind) => kind !== 'subtitle:webvtt')
      .sort();
    assert.deepEqual(kinds, ['audio:aac', 'audio:aac', 'video:h264']);

    // Each rendition's own playlist, as the master names it: FFmpeg fetches every segment and writes the
    // source's cues at their playlist times (repeats of a cue across a cut, which 4 and 5 drop, aside).
    const expected = [storedCues, frenchCues];
    for (const [k, tag] of mediaTags(master, 'SUBTITLES').entries()) {
      const url = new URL(tag.URI!.slice(1, -1), masterUrl).href;
      const { stdout, stderr } = await run(ffmpeg, [
        ...['-v', 'error', '-i', url, '-map', '0:s', '-c:s', 'webvtt', '-f', 'webvtt', 'pipe:1'],
      ]);
      assert.equal(stderr, '');
      assert.deepEqual(unique(parseCues(stdout)), expected[k]);
    }
  });
});
