import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { locateFfmpeg } from '../../../src/stream/ffmpeg-locate.js';
import { audioCodec, copiedH264 } from '../../../src/stream/hls/codec-strings.js';
import { masterPlaylist, mediaPlaylist, subtitlePlaylist } from '../../../src/stream/hls/playlists.js';
import { fixedSegmentTimes, keyframeSegmentTimes } from '../../../src/stream/hls/segment-times.js';
import { readKeyframes } from '../../../src/stream/keyframes/index.js';

/**
 * Real parts: a 12 s H.264+AAC MKV with keyframes every 2 s, its keyframes read from its Cues, our cut
 * times and playlists, and fMP4 segments made by FFmpeg's own HLS muxer (a fixture only, not what the
 * route ships) at those times. FFmpeg then plays our playlists as an HLS client over loopback HTTP, with
 * a server that refuses any request missing the token, so the query must survive into every URI.
 */
const run = promisify(execFile);
const TOKEN = 'token=s3cret&caps=h264,aac';
let dir: string;
let base: string;
const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.searchParams.get('token') !== 's3cret') return void res.writeHead(403).end();
  try {
    res.writeHead(200).end(await readFile(join(dir, url.pathname.slice(1))));
  } catch {
    res.writeHead(404).end();
  }
});

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'streamtide-hls-'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

const hlsArgs = (name: string) => [
  '-f',
  'hls',
  '-hls_segment_type',
  'fmp4',
  '-hls_time',
  '4',
  '-hls_playlist_type',
  'vod',
  '-hls_fmp4_init_filename',
  `${name}-init.mp4`,
  '-hls_segment_filename',
  join(dir, `${name}%d.m4s`),
  join(dir, `ff-${name}.m3u8`),
];
const extinfs = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('#EXTINF:'))
    .map((l) => Number.parseFloat(l.slice(8)));

test('FFmpeg plays our master and media playlists over fMP4 segments cut at our times', async () => {
  const { ffmpeg, ffprobe } = await locateFfmpeg();
  const input = join(dir, 'in.mkv');
  await run(ffmpeg, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=24:duration=12'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=12'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-sc_threshold', '0'],
    ...['-force_key_frames', 'expr:gte(t,n_forced*2)', '-c:a', 'aac', '-shortest', input],
  ]);

  const file = await open(input);
  const size = (await stat(input)).size;
  const index = await readKeyframes(
    async (offset, length) => {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      await file.read(buf, 0, buf.length, offset);
      return buf;
    },
    size,
    'matroska',
  );
  await file.close();
  assert.ok(index && index.times.length >= 6, 'the MKV has Cues for its keyframes');
  const duration = 12;
  const video = keyframeSegmentTimes(index.times, duration, { first: 4 })!;
  // Cut every 4 s here (no short first segment), as FFmpeg's HLS muxer below cuts: on the keyframes near 4 and 8 s
  // (shifted a little by the AAC priming delay in the MKV's clock).
  assert.deepEqual(video.starts, [0, index.times[2], index.times[4]]);
  assert.ok(
    Math.abs(video.starts[1]! - 4) < 0.05 && Math.abs(video.starts[2]! - 8) < 0.05,
    `${video.starts}`,
  );
  const audio = fixedSegmentTimes(duration, 4, 4);

  // Segments: FFmpeg's HLS muxer cuts copied video at the first keyframe ≥ 4 s on, as we do; check it did.
  await run(ffmpeg, ['-v', 'error', '-y', '-i', input, '-map', '0:v', '-c', 'copy', ...hlsArgs('v')]);
  await run(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-i',
    input,
    '-map',
    '0:a',
    '-c',
    'copy',
    '-t',
    '12',
    ...hlsArgs('a'),
  ]);
  const ffVideo = extinfs(await readFile(join(dir, 'ff-v.m3u8'), 'utf8'));
  assert.equal(ffVideo.length, video.durations.length);
  for (const [i, d] of ffVideo.entries()) {
    assert.ok(Math.abs(d - video.durations[i]!) < 0.1, `video segment ${i}: ${d}`);
  }
  assert.equal(extinfs(await readFile(join(dir, 'ff-a.m3u8'), 'utf8')).length, audio.durations.length);

  const media = (name: string, segmentTimes: typeof video) =>
    mediaPlaylist({
      segmentTimes,
      initUri: `${name}-init.mp4`,
      segmentUri: (i) => `${name}${i}.m4s`,
      query: TOKEN,
    });
  await writeFile(join(dir, 'video.m3u8'), media('v', video));
  await writeFile(join(dir, 'audio.m3u8'), media('a', audio));
  // A WebVTT rendition on the video's cut times: FFmpeg 5 ignores subtitle renditions, newer ones read them.
  await writeFile(
    join(dir, 'subs.m3u8'),
    subtitlePlaylist({ segmentTimes: video, segmentUri: (i) => `s${i}.vtt`, query: TOKEN }),
  );
  for (const [i, start] of video.starts.entries()) {
    const at = (t: number) => `00:00:${t.toFixed(3).padStart(6, '0')}`;
    const cue = `${at(start + 0.5)} --> ${at(start + 1.5)}\nLine ${i}\n`;
    await writeFile(join(dir, `s${i}.vtt`), `WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n${cue}`);
  }
  const master = masterPlaylist({
    video: {
      codecs: copiedH264({ codec: 'h264', profile: 'High', level: 12 }),
      width: 160,
      height: 120,
      frameRate: 24,
      bandwidth: 400_000,
    },
    audios: [
      {
        id: 1,
        name: 'Sine "440"\n',
        language: 'eng',
        default: true,
        codecs: audioCodec({ codec: 'aac' })!,
        channels: 1,
        uri: 'audio.m3u8',
      },
    ],
    subtitles: [{ name: 'English', language: 'eng', default: false, forced: false, uri: 'subs.m3u8' }],
    videoUri: 'video.m3u8',
    query: TOKEN,
  });
  await writeFile(join(dir, 'master.m3u8'), master);

  const url = `${base}/master.m3u8?${TOKEN}`;
  const probed = await run(ffprobe, [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name:format=duration',
    '-of',
    'json',
    url,
  ]);
  assert.equal(probed.stderr, '');
  const json = JSON.parse(probed.stdout) as {
    streams: Array<{ codec_type: string; codec_name: string }>;
    format: { duration: string };
  };
  const kinds = json.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
  assert.deepEqual(
    kinds.filter((k) => k !== 'subtitle:webvtt'),
    ['audio:aac', 'video:h264'],
  );
  assert.ok(Math.abs(Number(json.format.duration) - duration) < 1, `duration ${json.format.duration}`);

  // Every segment of both playlists is fetched and decoded without an error.
  const decoded = await run(ffmpeg, ['-v', 'error', '-i', url, '-map', '0', '-f', 'null', '-']);
  assert.equal(decoded.stderr, '');
});
