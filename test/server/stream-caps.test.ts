/**
 * `caps=` through the real server and FFmpeg: GET /stream copies what the client says it decodes and
 * re-encodes the rest, and the probe's `plan` answers for that client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ffprobe, type MediaKind, makeMedia } from '../helpers/media.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

async function added(kind: MediaKind): Promise<string> {
  return (await server.catalog.addLocalFile(await makeMedia(kind))).infoHash;
}

/** The answer's mode and its video stream as ffprobe sees it. */
async function streamed(infoHash: string, query: string) {
  const response = await fetch(`${server.url}/stream/${infoHash}/0${query}`);
  assert.equal(response.status, 200, query);
  const probed = await ffprobe(await bodyBytes(response));
  const video = probed.streams.find((s) => s.codec_type === 'video') as {
    codec_name: string;
    codec_tag_string?: string;
    profile?: string;
    pix_fmt?: string;
  };
  return { mode: response.headers.get('x-stream-mode'), video };
}

describe('GET /stream with caps', () => {
  it('copies HEVC (tagged hvc1) for a client that lists hevc, and transcodes it without', async () => {
    const infoHash = await added('mkv-hevc-aac');
    const copied = await streamed(infoHash, '?caps=hevc');
    assert.deepEqual(
      [copied.mode, copied.video.codec_name, copied.video.codec_tag_string],
      ['remux', 'hevc', 'hvc1'],
    );
    const plain = await streamed(infoHash, '');
    assert.deepEqual([plain.mode, plain.video.codec_name], ['transcode', 'h264']);
  });

  it('re-encodes 10-bit H.264 to 8-bit for the baseline client, copies it for h264-10bit', async () => {
    const infoHash = await added('mkv-h264-10bit');
    const baseline = await streamed(infoHash, '?caps=');
    assert.deepEqual(
      [baseline.mode, baseline.video.codec_name, baseline.video.pix_fmt],
      ['transcode', 'h264', 'yuv420p'],
    );
    assert.notEqual(baseline.video.profile, 'High 10');
    const tenBit = await streamed(infoHash, '?caps=opus,H264-10BIT');
    assert.deepEqual(
      [tenBit.mode, tenBit.video.profile, tenBit.video.pix_fmt],
      ['remux', 'High 10', 'yuv420p10le'],
    );
  });

  it('rejects a caps list past its length limit', async () => {
    const infoHash = await added('mkv-hevc-aac');
    const response = await fetch(`${server.url}/stream/${infoHash}/0?caps=${'hevc,'.repeat(100)}`);
    assert.equal(response.status, 400);
  });
});

describe('the probe with caps', () => {
  it('answers `plan` for that client; unknown words are ignored', async () => {
    const hevc = await added('mkv-hevc-aac');
    const webm = await added('webm');
    const plan = async (infoHash: string, query: string) => {
      const response = await fetch(`${server.url}/api/torrents/${infoHash}/files/0/probe${query}`);
      assert.equal(response.status, 200, query);
      return ((await response.json()) as { plan: string }).plan;
    };
    assert.deepEqual(
      [await plan(hevc, ''), await plan(hevc, '?caps=hevc'), await plan(hevc, '?caps=HEVC,dolby-vision')],
      ['transcode', 'remux', 'remux'],
    );
    // VP9 + Opus WebM: direct without caps (a desktop browser), re-encoded for a client without VP9.
    assert.deepEqual(
      [await plan(webm, ''), await plan(webm, '?caps=vp9,opus'), await plan(webm, '?caps=opus')],
      ['direct', 'direct', 'transcode'],
    );
    const probe = await (await fetch(`${server.url}/api/torrents/${hevc}/files/0/probe?caps=hevc`)).json();
    assert.equal((probe as { streams: Array<{ bitDepth?: number }> }).streams[0]?.bitDepth, 8);
  });
});
