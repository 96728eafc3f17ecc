/**
 * GET /stream on local files through the real server and real FFmpeg: the plans `auto` picks, Range on
 * direct files, seeking, 415/502/503, and that an aborted request leaves no FFmpeg behind.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { decodedDuration, ffprobe, makeMedia } from '../helpers/media.js';
import { childProcesses, ffmpegChildrenGone } from '../helpers/processes.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let work: string;

async function addLocal(path: string): Promise<string> {
  const entry = await server.catalog.addLocalFile(path);
  return `${server.url}/stream/${entry.infoHash}/0`;
}

async function saveBody(response: Response, name: string): Promise<string> {
  const path = join(work, name);
  writeFileSync(path, await bodyBytes(response));
  return path;
}

before(async () => {
  server = await startTestServer();
  work = await mkdtemp(join(tmpdir(), 'streamtide-stream-'));
});
after(async () => {
  await server.close();
});

describe('GET /cover: the picture of a music file', () => {
  it('serves the attached picture of an MP3, and 404 for a file without one', async () => {
    const mp3 = await server.catalog.addLocalFile(await makeMedia('mp3-cover'));
    const response = await fetch(`${server.url}/cover/${mp3.infoHash}/0`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/jpeg');
    const picture = await bodyBytes(response);
    assert.deepEqual([...picture.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
    const probed = await ffprobe(picture);
    assert.deepEqual(
      probed.streams.map((s) => s.codec_name),
      ['mjpeg'],
    );
    const flac = await server.catalog.addLocalFile(await makeMedia('flac'));
    assert.equal((await fetch(`${server.url}/cover/${flac.infoHash}/0`)).status, 404);
  });
});

describe('auto mode picks the plan from the probe', () => {
  const cases = [
    { kind: 'mp4', mode: 'direct', codecs: ['h264', 'aac'] },
    { kind: 'webm', mode: 'direct', codecs: ['vp9', 'opus'] },
    { kind: 'mkv-h264-aac', mode: 'remux', codecs: ['h264', 'aac'] },
    { kind: 'avi-mpeg4-mp3', mode: 'transcode', codecs: ['h264', 'mp3'] },
    { kind: 'mkv-h264-ac3', mode: 'transcode', codecs: ['h264', 'aac'] },
    { kind: 'ts-h264-aac', mode: 'remux', codecs: ['h264', 'aac'] },
    { kind: 'avi-h264-bframes', mode: 'transcode', codecs: ['h264', 'mp3'] },
    { kind: 'ts-mpeg2-interlaced', mode: 'transcode', codecs: ['h264', 'aac'] },
    { kind: 'flac', mode: 'direct', codecs: ['flac'] },
    { kind: 'mp3-cover', mode: 'direct', codecs: ['mp3', 'mjpeg'] },
  ] as const;
  for (const { kind, mode, codecs } of cases) {
    it(`${kind} → ${mode}`, async () => {
      const source = await makeMedia(kind);
      const response = await fetch(await addLocal(source));
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-stream-mode'), mode);
      const duration = Number(response.headers.get('x-content-duration'));
      assert.ok(Math.abs(duration - 4) < 0.2, `X-Content-Duration ${duration}`);
      const out = await saveBody(response, `${kind}.out`);
      if (mode === 'direct') {
        assert.deepEqual(readFileSync(out), readFileSync(source));
        return;
      }
      assert.equal(response.headers.get('content-type'), 'video/mp4');
      const probed = await ffprobe(out);
      assert.deepEqual(
        probed.streams.map((s) => s.codec_name),
        codecs,
      );
      const seconds = await decodedDuration(out);
      assert.ok(Math.abs(seconds - 4) < 0.5, `decoded duration ${seconds}`);
    });
  }
});

describe('direct mode honours Range exactly', () => {
  let url: string;
  let bytes: Buffer;
  before(async () => {
    const source = await makeMedia('mp4');
    bytes = readFileSync(source);
    url = await addLocal(source);
  });

  it('answers 206 with the exact bytes of a middle range', async () => {
    const response = await fetch(url, { headers: { Range: 'bytes=100-1099' } });
    assert.equal(response.status, 206);
    assert.equal(response.headers.get('content-range'), `bytes 100-1099/${bytes.length}`);
    assert.equal(response.headers.get('content-length'), '1000');
    assert.equal(response.headers.get('accept-ranges'), 'bytes');
    assert.deepEqual(await bodyBytes(response), bytes.subarray(100, 1100));
  });

  it('serves bytes=0-0, open ends and suffixes', async () => {
    const first = await fetch(url, { headers: { Range: 'bytes=0-0' } });
    assert.equal(first.status, 206);
    assert.deepEqual(await bodyBytes(first), bytes.subarray(0, 1));
    const tail = await fetch(url, { headers: { Range: 'bytes=-500' } });
    assert.equal(
      tail.headers.get('content-range'),
      `bytes ${bytes.length - 500}-${bytes.length - 1}/${bytes.length}`,
    );
    assert.deepEqual(await bodyBytes(tail), bytes.subarray(bytes.length - 500));
    const open = await fetch(url, { headers: { Range: `bytes=${bytes.length - 10}-` } });
    assert.deepEqual(await bodyBytes(open), bytes.subarray(bytes.length - 10));
  });

  it('answers 416 past the end and HEAD without a body', async () => {
    const past = await fetch(url, { headers: { Range: `bytes=${bytes.length}-` } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${bytes.length}`);
    await past.arrayBuffer();
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length));
    assert.equal(head.headers.get('content-type'), 'video/mp4');
  });

  it('transcodes an HEVC MP4 whose moov is at the end through a seekable input, not the pipe', async () => {
    const source = await makeMedia('mp4-hevc-moov-end');
    const response = await fetch(await addLocal(source));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-stream-mode'), 'transcode');
    const out = await saveBody(response, 'hevc-moov-end.mp4');
    assert.deepEqual(
      (await ffprobe(out)).streams.map((s) => s.codec_name),
      ['h264', 'aac'],
    );
    const seconds = await decodedDuration(out);
    assert.ok(Math.abs(seconds - 4) < 0.5, `decoded duration ${seconds}`);
  });

  it('serves an MP4 with its moov at the end directly too', async () => {
    const response = await fetch(await addLocal(await makeMedia('mp4-moov-end')), { method: 'HEAD' });
    assert.equal(response.headers.get('x-stream-mode'), 'direct');
  });
});

describe('seeking with t=', () => {
  it('starts the remuxed output at the asked source time', async () => {
    const source = await makeMedia('mkv-h264-aac', { seconds: 8 });
    const response = await fetch(`${await addLocal(source)}?t=4`);
    assert.equal(response.status, 200);
    const out = await saveBody(response, 'seek.mp4');
    const seconds = await decodedDuration(out);
    // Keyframes every second in the source: the output covers the last ~4 s (±1 keyframe interval).
    assert.ok(seconds > 2.9 && seconds < 5.1, `decoded duration after seek ${seconds}`);
  });

  it('rejects t that is negative or not a number', async () => {
    const url = await addLocal(await makeMedia('mkv-h264-aac'));
    for (const t of ['-1', 'NaN', 'abc', '1e9']) {
      const response = await fetch(`${url}?t=${t}`);
      assert.equal(response.status, 400, `t=${t}`);
      assert.ok(typeof ((await response.json()) as { error: string }).error === 'string');
    }
  });
});

describe('errors and limits', () => {
  it('answers 400 for an audio index the file does not have (the plan says so)', async () => {
    const url = await addLocal(await makeMedia('mkv-h264-aac'));
    for (const method of ['GET', 'HEAD']) {
      const response = await fetch(`${url}?audio=1`, { method });
      assert.equal(response.status, 400, method);
      if (method === 'GET') {
        assert.match(((await response.json()) as { error: string }).error, /audio=1 is out of range/);
      }
    }
  });

  it('answers 404 for unknown torrents and files', async () => {
    const unknown = await fetch(`${server.url}/stream/${'a'.repeat(40)}/0`);
    assert.equal(unknown.status, 404);
    const url = await addLocal(await makeMedia('mp4'));
    const badIndex = await fetch(url.replace(/\/0$/, '/3'));
    assert.equal(badIndex.status, 404);
  });

  it('answers 415 for a file that is not media', async () => {
    const path = join(work, 'notes.mkv');
    writeFileSync(path, 'this is not a video, only text pretending to be one\n'.repeat(200));
    const response = await fetch(await addLocal(path));
    assert.equal(response.status, 415);
    assert.match(((await response.json()) as { error: string }).error, /not a playable media file/);
  });

  it('answers 502 with FFmpeg stderr when FFmpeg fails before the first byte', async () => {
    const fake = join(work, 'broken-ffmpeg');
    writeFileSync(fake, '#!/bin/sh\necho "Unknown encoder: pretend failure" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const broken = await startTestServer({ tools: { ...server.tools, ffmpeg: fake } });
    try {
      const entry = await broken.catalog.addLocalFile(await makeMedia('mkv-h264-aac'));
      const response = await fetch(`${broken.url}/stream/${entry.infoHash}/0`);
      assert.equal(response.status, 502);
      const body = (await response.json()) as { error: string; stderr: string[] };
      assert.ok(
        body.stderr.some((line) => line.includes('pretend failure')),
        JSON.stringify(body),
      );
    } finally {
      await broken.close();
    }
  });

  /** A server allowing one transcode, that one taken by a stream of `url`, which `first` ends. */
  async function withOneSlotTaken(
    slotWaitMs: number,
    test: (limited: TestServer, url: string, first: { abort(): void; running: Response }) => Promise<void>,
  ): Promise<void> {
    const limited = await startTestServer({ maxTranscodes: 1, slotWaitMs });
    try {
      const entry = await limited.catalog.addLocalFile(await makeMedia('avi-mpeg4-mp3', { seconds: 20 }));
      const url = `${limited.url}/stream/${entry.infoHash}/0`;
      const controller = new AbortController();
      const running = await fetch(url, { signal: controller.signal });
      assert.equal(running.status, 200);
      await test(limited, url, { abort: () => controller.abort(), running });
    } finally {
      await limited.close();
    }
  }

  it('answers 503 with Retry-After past the transcode limit, once a short wait found no slot', async () => {
    await withOneSlotTaken(100, async (_limited, url, first) => {
      const second = await fetch(url);
      assert.equal(second.status, 503);
      assert.equal(second.headers.get('retry-after'), '5');
      first.abort();
      await first.running.arrayBuffer().catch(() => undefined);
      assert.deepEqual(await ffmpegChildrenGone(), []);
    });
  });

  it('past the transcode limit, a stream waits for the one before it to close (a seek), then plays', async () => {
    await withOneSlotTaken(30_000, async (limited, url, first) => {
      const seek = fetch(`${url}?t=10`);
      assert.ok(await eventually(() => limited.app.limits.queue.waiting === 1), 'the seek waits');
      first.abort();
      await first.running.arrayBuffer().catch(() => undefined);
      const seeked = await seek;
      assert.equal(seeked.status, 200);
      assert.equal(seeked.headers.get('x-stream-mode'), 'transcode');
      assert.ok((await seeked.arrayBuffer()).byteLength > 0);
      assert.deepEqual(await ffmpegChildrenGone(), []);
    });
  });
});

describe('a slow client', () => {
  it('gets the remux byte for byte as a fast one does, its pauses holding FFmpeg back', async () => {
    // ~15 MB of output: more than the loopback's socket buffers take while the client pauses.
    const url = `${await addLocal(await makeMedia('mkv-h264-noise', { seconds: 30, size: '320x240' }))}?mode=remux`;
    const fast = await bodyBytes(await fetch(url));
    const slow = await new Promise<Buffer>((resolve, reject) => {
      get(url, (res) => {
        const chunks: Buffer[] = [];
        let sincePause = 0;
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          sincePause += chunk.length;
          if (sincePause < 1024 * 1024) return;
          sincePause = 0;
          res.pause();
          setTimeout(() => res.resume(), 50);
        });
        res.once('end', () => resolve(Buffer.concat(chunks)));
        res.once('error', reject);
      }).once('error', reject);
    });
    assert.ok(fast.length > 8 * 1024 * 1024, `only ${fast.length} bytes`);
    assert.equal(slow.length, fast.length);
    assert.ok(slow.equals(fast), 'the slowly read remux differs');
  });
});

describe('a client that leaves', () => {
  it('stops the pump and leaves no FFmpeg process', async () => {
    const source = await makeMedia('avi-mpeg4-mp3', { seconds: 30, size: '320x240' });
    const controller = new AbortController();
    const response = await fetch(await addLocal(source), { signal: controller.signal });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.ok(first.value && first.value.length > 0);
    assert.ok(childProcesses().length > 0, 'FFmpeg runs while the client reads');
    controller.abort();
    await reader.cancel().catch(() => undefined);
    assert.deepEqual(await ffmpegChildrenGone(1500), []);
  });

  it('resetting the connection mid-stream (unread bytes left) harms nothing but that stream', async () => {
    const url = `${await addLocal(await makeMedia('mkv-h264-noise', { seconds: 30, size: '320x240' }))}?mode=remux`;
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        get(url, (res) => {
          // Closed with bytes still unread, the socket sends a reset: the server's next write fails.
          res.once('data', () => {
            res.destroy();
            resolve();
          });
        }).once('error', reject);
      });
    }
    assert.deepEqual(await ffmpegChildrenGone(3000), []);
    const after = await fetch(url);
    assert.equal(after.status, 200);
    assert.ok((await bodyBytes(after)).length > 8 * 1024 * 1024);
  });
});
