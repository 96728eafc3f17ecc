/**
 * Subtitles and audio tracks over HTTP, from a torrent on a loopback swarm: the probe lists the tracks, the
 * embedded SubRip stream and the torrent's subtitle files (Latin-1 .srt, styled .ass, UTF-16 .vtt) come back
 * as UTF-8 WebVTT with the right text and times (shifted with t=), image subtitles answer 415, and audio=1
 * plays the other language: its decoded tone is 880 Hz, not 440.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import iconv from 'iconv-lite';
import { parseCues } from '../../src/stream/vtt.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { ffprobe, makeTracksMedia, tools, tracksMediaCues } from '../helpers/media.js';
import { ffmpegChildrenGone } from '../helpers/processes.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

const run = promisify(execFile);

interface ProbeJson {
  streams: Array<{
    index: number;
    type: string;
    codec: string;
    language: string | null;
    title: string | null;
    channels?: number;
    default: boolean;
  }>;
  subtitleFiles: Array<{ index: number; name: string; language: string | null }>;
}

interface Timed {
  start: number;
  end: number;
  text: string;
}

const latin1Srt =
  '1\r\n00:00:01,000 --> 00:00:02,500\r\nCafé crème, déjà vu\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nÀ bientôt, Loïc\r\n';
const ass = `[Script Info]
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,{\\an8\\c&H00FF00&}Hello {\\i1}there{\\i0}\\Nsecond line
Dialogue: 0,0:00:03.00,0:00:04.00,Default,,0,0,0,,{\\pos(10,10)\\fad(200,200)}Fish & chips
`;
const vtt = 'WEBVTT\n\nhello\n00:01.000 --> 00:02.000 line:0 align:start\nGrüße\n';

let seeder: Seeder;
let engine: TorrentEngine;
let server: TestServer;
let infoHash: string;
let files: Record<string, number>;
/** The SubRip stream's cues as the container stores them (the muxer shifts them by the AAC priming). */
let storedCues: Timed[];
const temps: string[] = [];

async function waitReady(): Promise<void> {
  // Polling the API is what a client does; the deadline only bounds a broken run.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const torrent = (await (await fetch(`${server.url}/api/torrents/${infoHash}`)).json()) as {
      ready: boolean;
      progress: number;
      files: Array<{ index: number; name: string }>;
    };
    if (torrent.ready) {
      files = Object.fromEntries(torrent.files.map((f) => [f.name, f.index]));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('torrent never became ready');
}

/** Packet times of one stream, in ms, from ffprobe. */
async function packetTimes(path: string, stream: number): Promise<Array<[number, number]>> {
  const { stdout } = await run((await tools()).ffprobe, [
    ...['-v', 'error', '-select_streams', String(stream)],
    ...['-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', path],
  ]);
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.split(',').map((n) => Math.round(Number(n) * 1000)) as [number, number])
    .map(([pts, duration]) => [pts, pts + duration]);
}

/** The dominant frequency of a file's first audio stream, from zero crossings of its decoded PCM. */
async function toneHz(bytes: Buffer): Promise<number> {
  const path = join(temps[0] ?? tmpdir(), `tone-${process.hrtime.bigint()}.mp4`);
  writeFileSync(path, bytes);
  const { stdout } = await run(
    (await tools()).ffmpeg,
    ['-v', 'error', '-i', path, '-map', '0:a:0', '-ac', '1', '-ar', '48000', '-f', 's16le', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  const samples = new Int16Array(stdout.buffer, stdout.byteOffset, Math.floor(stdout.length / 2));
  // Skip the first and last 0.25 s (encoder priming, fades): a clean stretch of the tone.
  const from = 12_000;
  const to = samples.length - 12_000;
  assert.ok(to - from > 48_000, `only ${samples.length} samples of audio`);
  let crossings = 0;
  for (let i = from + 1; i < to; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  return crossings / 2 / ((to - from) / 48_000);
}

const subtitleUrl = (index: number, query = '') => `${server.url}/subtitles/${infoHash}/${index}.vtt${query}`;

before(async () => {
  const content = mkdtempSync(join(tmpdir(), 'streamtide-subs-content-'));
  const downloads = mkdtempSync(join(tmpdir(), 'streamtide-subs-dl-'));
  temps.push(content, downloads);
  const folder = join(content, 'Film');
  mkdirSync(folder);
  const mkv = await makeTracksMedia();
  copyFileSync(mkv, join(folder, 'Film.mkv'));
  writeFileSync(join(folder, 'Film.fr.srt'), iconv.encode(latin1Srt, 'latin1'));
  writeFileSync(join(folder, 'Film.en.ass'), ass);
  writeFileSync(
    join(folder, 'Film.de.vtt'),
    Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(vtt, 'utf-16le')]),
  );
  storedCues = (await packetTimes(mkv, 3)).map(([start, end], i) => ({
    start,
    end,
    text: tracksMediaCues[i]!.text,
  }));
  seeder = await startSeeder(folder);
  engine = await startTestEngine(downloads, { utp: false });
  server = await startTestServer({ torrents: engine });
  const added = await fetch(`${server.url}/api/torrents`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: seeder.magnet }),
  });
  assert.equal(added.status, 201);
  infoHash = ((await added.json()) as { infoHash: string }).infoHash;
  await waitReady();
});

after(async () => {
  await server?.close();
  await engine?.destroy();
  await seeder?.close();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('tracks of a torrent', () => {
  it('the probe lists both audio streams, the subtitle streams and the subtitle files', async () => {
    const response = await fetch(`${server.url}/api/torrents/${infoHash}/files/${files['Film.mkv']}/probe`);
    assert.equal(response.status, 200);
    const probe = (await response.json()) as ProbeJson;
    const pick = ({
      index,
      type,
      codec,
      language,
      title,
      channels,
      default: d,
    }: ProbeJson['streams'][0]) => ({
      index,
      type,
      codec,
      language,
      title,
      channels,
      default: d,
    });
    assert.deepEqual(probe.streams.slice(1).map(pick), [
      { index: 1, type: 'audio', codec: 'aac', language: 'eng', title: null, channels: 1, default: true },
      {
        index: 2,
        type: 'audio',
        codec: 'aac',
        language: 'fra',
        title: 'Français',
        channels: 1,
        default: false,
      },
      {
        index: 3,
        type: 'subtitle',
        codec: 'subrip',
        language: 'eng',
        title: 'English',
        channels: undefined,
        default: false,
      },
      {
        index: 4,
        type: 'subtitle',
        codec: 'hdmv_pgs_subtitle',
        language: 'eng',
        title: null,
        channels: undefined,
        default: false,
      },
    ]);
    assert.deepEqual(probe.subtitleFiles.map((f) => [f.name, f.language]).sort(), [
      ['Film.de.vtt', 'de'],
      ['Film.en.ass', 'en'],
      ['Film.fr.srt', 'fr'],
    ]);
  });

  it('extracts the embedded SubRip stream as WebVTT with the stored times', async () => {
    const response = await fetch(subtitleUrl(files['Film.mkv']!, '?stream=3'));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/vtt; charset=utf-8');
    const body = await response.text();
    assert.ok(body.startsWith('WEBVTT\n\n'), body);
    assert.deepEqual(parseCues(body), storedCues);
    // Sanity: the stored times are the SubRip ones plus at most the AAC priming shift.
    for (const [i, cue] of storedCues.entries()) {
      assert.ok(cue.start - tracksMediaCues[i]!.start >= 0 && cue.start - tracksMediaCues[i]!.start < 50);
    }
  });

  it('shifts the cues with t=: the cue showing at t is clipped, earlier ones dropped', async () => {
    const response = await fetch(subtitleUrl(files['Film.mkv']!, '?stream=3&t=2.5'));
    assert.equal(response.status, 200);
    const expected = storedCues
      .filter((c) => c.end > 2500)
      .map((c) => ({ ...c, start: Math.max(0, c.start - 2500), end: c.end - 2500 }));
    assert.equal(expected.length, 2);
    assert.equal(expected[0]!.start, 0);
    assert.deepEqual(parseCues(await response.text()), expected);
  });

  it('answers 415 for image subtitles and 400/404 for streams that are not subtitles', async () => {
    const mkv = files['Film.mkv']!;
    const image = await fetch(subtitleUrl(mkv, '?stream=4'));
    assert.equal(image.status, 415);
    const body = (await image.json()) as { error: string; codec: string };
    assert.equal(body.codec, 'hdmv_pgs_subtitle');
    assert.match(body.error, /image subtitles/);
    const cases: Array<[string, number, RegExp]> = [
      ['?stream=1', 400, /audio, not subtitles/],
      ['?stream=0', 400, /video, not subtitles/],
      ['?stream=9', 404, /no stream 9/],
      ['', 400, /not a subtitle file.*stream=N/],
      ['?stream=-1', 400, /stream/],
      ['?stream=3&t=-2', 400, /t/],
    ];
    for (const [query, status, message] of cases) {
      const response = await fetch(subtitleUrl(mkv, query));
      assert.equal(response.status, status, query);
      assert.match(((await response.json()) as { error: string }).error, message, query);
    }
    const onFile = await fetch(subtitleUrl(files['Film.fr.srt']!, '?stream=0'));
    assert.equal(onFile.status, 400);
    await onFile.arrayBuffer();
    for (const path of [`/subtitles/${infoHash}/${mkv}`, `/subtitles/${infoHash}/${mkv}.srt`]) {
      const response = await fetch(`${server.url}${path}?stream=3`);
      assert.equal(response.status, 404, path);
      await response.arrayBuffer();
    }
    const unknown = await fetch(`${server.url}/subtitles/${'b'.repeat(40)}/0.vtt?stream=3`);
    assert.equal(unknown.status, 404);
    await unknown.arrayBuffer();
  });

  it('converts the Latin-1 .srt to UTF-8 WebVTT, shifted with t=', async () => {
    const response = await fetch(subtitleUrl(files['Film.fr.srt']!));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/vtt; charset=utf-8');
    assert.match(response.headers.get('x-subtitle-charset') ?? '', /1252/);
    const bytes = await bodyBytes(response);
    assert.ok(bytes.includes(Buffer.from('Café crème, déjà vu', 'utf8')), bytes.toString('latin1'));
    assert.ok(!bytes.includes(Buffer.from([0x43, 0x61, 0x66, 0xe9])), 'a raw Latin-1 é left');
    assert.deepEqual(parseCues(bytes.toString('utf8')), [
      { start: 1000, end: 2500, text: 'Café crème, déjà vu' },
      { start: 3000, end: 4000, text: 'À bientôt, Loïc' },
    ]);
    const shifted = await fetch(subtitleUrl(files['Film.fr.srt']!, '?t=2'));
    assert.deepEqual(parseCues(await shifted.text()), [
      { start: 0, end: 500, text: 'Café crème, déjà vu' },
      { start: 1000, end: 2000, text: 'À bientôt, Loïc' },
    ]);
  });

  it('converts the .ass without its styling and keeps the UTF-16 .vtt cue settings', async () => {
    const assVtt = await fetch(subtitleUrl(files['Film.en.ass']!));
    assert.equal(assVtt.status, 200);
    const text = await assVtt.text();
    assert.doesNotMatch(text, /[{}\\]/);
    assert.deepEqual(parseCues(text), [
      { start: 1000, end: 2500, text: 'Hello <i>there</i>\nsecond line' },
      { start: 3000, end: 4000, text: 'Fish &amp; chips' },
    ]);
    const vttResponse = await fetch(subtitleUrl(files['Film.de.vtt']!, '?t=0.5'));
    assert.equal(vttResponse.status, 200);
    assert.equal(
      await vttResponse.text(),
      'WEBVTT\n\nhello\n00:00:00.500 --> 00:00:01.500 line:0 align:start\nGrüße\n\n',
    );
  });

  it('answers HEAD with the headers only', async () => {
    const response = await fetch(subtitleUrl(files['Film.mkv']!, '?stream=3'), { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/vtt; charset=utf-8');
  });

  it('plays the second audio track with audio=1: its tone is 880 Hz', async () => {
    const streamUrl = `${server.url}/stream/${infoHash}/${files['Film.mkv']}`;
    const tones: Record<string, number> = {};
    for (const query of ['', '?audio=0', '?audio=1']) {
      const response = await fetch(`${streamUrl}${query}`);
      assert.equal(response.status, 200, query);
      assert.equal(response.headers.get('x-stream-mode'), 'remux');
      const bytes = await bodyBytes(response);
      const probed = await ffprobe(bytes);
      assert.deepEqual(
        probed.streams.map((s) => s.codec_type),
        ['video', 'audio'],
        'one audio track in the output',
      );
      tones[query] = await toneHz(bytes);
    }
    assert.ok(Math.abs(tones['']! - 440) < 10, `default: ${tones['']} Hz`);
    assert.ok(Math.abs(tones['?audio=0']! - 440) < 10, `audio=0: ${tones['?audio=0']} Hz`);
    assert.ok(Math.abs(tones['?audio=1']! - 880) < 10, `audio=1: ${tones['?audio=1']} Hz`);
    const outOfRange = await fetch(`${streamUrl}?audio=2`);
    assert.equal(outOfRange.status, 400);
    await outOfRange.arrayBuffer();
  });

  it('needs the token when the server has one', async () => {
    const guarded = await startTestServer({ token: 's3cret' });
    try {
      const entry = await guarded.catalog.addLocalFile(await makeTracksMedia());
      const url = `${guarded.url}/subtitles/${entry.infoHash}/0.vtt?stream=3`;
      const none = await fetch(url);
      assert.equal(none.status, 401);
      await none.arrayBuffer();
      const withToken = await fetch(`${url}&token=s3cret`);
      assert.equal(withToken.status, 200);
      assert.deepEqual(parseCues(await withToken.text()), storedCues);
    } finally {
      await guarded.close();
    }
  });

  it('leaves no FFmpeg running', async () => {
    assert.deepEqual(await ffmpegChildrenGone(), []);
  });
});
