/**
 * FFmpeg as the HLS client: it reads the master playlist of a real file from the real server start to
 * end — every rendition, every segment — and decodes it without an error. What it read must be the whole
 * file: each stream's packets follow each other without a hole or an overlap beyond one frame, they last
 * as long as the file, and there are as many frames as the source has (none lost or doubled at a
 * segment boundary).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type MediaKind, makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { HlsClient } from './hls-client.js';
import { assertContinuous, ffmpegRun, fileDuration, frameRate, frameSlots, packets } from './support.js';

const SECONDS = 14;
let server: TestServer;
let cache: string;

before(async () => {
  cache = await mkdtemp(join(tmpdir(), 'streamtide-hls-client-'));
  server = await startTestServer({ hlsCacheDir: cache });
});
after(async () => {
  await server.close();
  await rm(cache, { recursive: true, force: true });
});

interface Case {
  kind: MediaKind;
  caps?: string;
  /** The variant's playlist: video, or for an audio-only file the default audio rendition. */
  variant: string;
  audios: number;
}

const cases: Case[] = [
  { kind: 'mkv-h264-aac', variant: 'video-copy', audios: 1 },
  { kind: 'mkv-h264-bframes', variant: 'video-copy', audios: 1 },
  { kind: 'mkv-h264-10bit', caps: '', variant: 'video-h264', audios: 1 },
  { kind: 'avi-mpeg4-mp3', variant: 'video-h264', audios: 1 },
  { kind: 'mkv-hevc-aac', caps: 'hevc', variant: 'video-copy', audios: 1 },
  { kind: 'mkv-hevc-aac', variant: 'video-h264', audios: 1 },
  { kind: 'mp4-moov-end', variant: 'video-copy', audios: 1 },
  { kind: 'mkv-multi-audio', caps: 'ac3', variant: 'video-copy', audios: 2 },
  { kind: 'mkv-multi-audio', variant: 'video-copy', audios: 2 },
  { kind: 'ts-h264-aac', variant: 'video-h264', audios: 1 },
  { kind: 'webm', caps: 'vp9,opus', variant: 'video-copy', audios: 1 }, // VP9 and Opus copied
  { kind: 'webm', variant: 'video-h264', audios: 1 }, // without caps, the baseline client: encoded
  { kind: 'flac', caps: 'flac', variant: 'audio0-copy', audios: 1 },
  { kind: 'flac', variant: 'audio0-aac', audios: 1 },
  { kind: 'mp3-cover', variant: 'audio0-aac', audios: 1 }, // the cover is no video
];

describe('FFmpeg plays the HLS of a file start to end', () => {
  for (const c of cases) {
    it(`${c.kind}${c.caps === undefined ? '' : ` caps=${c.caps}`} (${c.variant})`, async () => {
      const path = await makeMedia(c.kind, { seconds: SECONDS });
      const duration = await fileDuration(path);
      const entry = await server.catalog.addLocalFile(path);
      const query = c.caps === undefined ? '' : `?caps=${c.caps}`;
      const url = `${server.url}/hls/${entry.infoHash}/0/master.m3u8${query}`;
      const master = await new HlsClient(url).master();
      assert.ok(master.variantUri.startsWith(`${c.variant}/`), master.variantUri);
      const hasVideo = c.variant.startsWith('video');

      // Decoding every stream: a broken segment, a missing init or a bad bitstream shows on stderr.
      // The encoder keeps the demuxer's time base: the null muxer's own 1/24 s ticks would make it report
      // frames of a millisecond-clocked source (MKV) as non-monotonic.
      const args = ['-i', url, '-map', '0', '-enc_time_base:v', '-1', '-f', 'null', '-'];
      assert.equal(await ffmpegRun(args), '');

      const read = await packets(url);
      const source = await packets(path);
      // FFmpeg opens the variant and each audio rendition (audio-only: the variant is an audio rendition).
      const streams = [...new Set(read.map((p) => p.stream))].sort();
      assert.equal(streams.length, 1 + c.audios, 'the variant and each audio rendition');
      // Copied: every packet of the source; encoded: a frame for every frame time it spans.
      const video = source.filter((p) => p.kind === 'video');
      const sourceFrames =
        c.variant === 'video-copy' ? video.length : hasVideo ? frameSlots(video, await frameRate(path)) : 0;
      for (const stream of streams) {
        const list = read.filter((p) => p.stream === stream);
        const what = `stream ${stream} (${list[0]!.kind})`;
        const timeline = assertContinuous(list, what);
        const span = timeline.end - timeline.start;
        assert.ok(Math.abs(span - duration) < 0.5, `${what} lasts ${span} s of ${duration} s`);
        if (list[0]!.kind === 'video' && c.variant === 'video-copy') {
          assert.equal(list.length, sourceFrames, 'every frame once');
        } else if (list[0]!.kind === 'video') {
          // An encode at the source's rate may repeat one frame where millisecond timestamps (MKV) jitter
          // around it (FFmpeg 4 does): one frame, what the contract allows at a cut.
          assert.ok(Math.abs(list.length - sourceFrames) <= 1, `${list.length} frames of ${sourceFrames}`);
        }
      }
      assert.deepEqual(
        streams.map((s) => read.find((p) => p.stream === s)!.kind).sort(),
        [hasVideo ? 'video' : 'audio', ...Array<string>(c.audios).fill('audio')].sort(),
      );
    });
  }
});
