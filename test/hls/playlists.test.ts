/**
 * The playlists of HLS against what the server really sends, on real files through the real server (with a
 * token, so every URI must carry it): complete VOD media playlists from the first request, and a master
 * whose CODECS and RESOLUTION are what the init segments hold — read from their avcC, hvcC and esds the
 * way a player does, not from the probe the server used.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type MediaKind, makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { HlsClient, type MediaPlaylist } from './hls-client.js';
import { sampleEntry } from './sample-entry.js';
import { fileDuration } from './support.js';

const TOKEN = 'hls-s3cret';
const SECONDS = 14;
let server: TestServer;
let cache: string;

before(async () => {
  cache = await mkdtemp(join(tmpdir(), 'streamtide-hls-playlists-'));
  server = await startTestServer({ token: TOKEN, hlsCacheDir: cache });
});
after(async () => {
  await server.close();
  await rm(cache, { recursive: true, force: true });
});

interface Case {
  kind: MediaKind;
  caps?: string;
  video: 'video-copy' | 'video-h264';
  /** The audio renditions, in order. */
  audios: string[];
}

const cases: Case[] = [
  { kind: 'mkv-h264-aac', video: 'video-copy', audios: ['audio0-copy'] },
  { kind: 'mkv-h264-bframes', caps: '', video: 'video-copy', audios: ['audio0-copy'] },
  { kind: 'avi-mpeg4-mp3', video: 'video-h264', audios: ['audio0-aac'] },
  { kind: 'mkv-hevc-aac', caps: 'hevc', video: 'video-copy', audios: ['audio0-copy'] },
  { kind: 'mkv-hevc-aac', caps: 'h264-10bit,ac3', video: 'video-h264', audios: ['audio0-copy'] },
  // Unknown words (a later browser's) are ignored; the known ones still count, in any case.
  { kind: 'mkv-hevc-aac', caps: 'dts,HEVC,x-future', video: 'video-copy', audios: ['audio0-copy'] },
  { kind: 'mkv-multi-audio', caps: 'truehd,vvc', video: 'video-copy', audios: ['audio0-copy', 'audio1-aac'] },
  { kind: 'mp4-moov-end', video: 'video-copy', audios: ['audio0-copy'] },
  { kind: 'ts-h264-aac', video: 'video-h264', audios: ['audio0-copy'] },
  { kind: 'mkv-multi-audio', video: 'video-copy', audios: ['audio0-copy', 'audio1-aac'] },
  { kind: 'mkv-multi-audio', caps: 'ac3', video: 'video-copy', audios: ['audio0-copy', 'audio1-copy'] },
];

/** The query a URI must carry: the token, and the client's caps when it sent some. */
function assertCarries(uri: string, c: Case): void {
  assert.ok(!/^[a-z]+:/i.test(uri) && !uri.startsWith('/'), `${uri} is relative`);
  const query = new URL(uri, 'http://x/').searchParams;
  assert.equal(query.get('token'), TOKEN, `${uri} carries the token`);
  if (c.caps !== undefined) assert.equal(query.get('caps'), c.caps, `${uri} carries caps`);
}

function assertVod(playlist: MediaPlaylist, duration: number, c: Case, what: string): void {
  for (const tag of ['#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-ENDLIST']) {
    assert.ok(playlist.lines.includes(tag), `${what} has ${tag}`);
  }
  assert.equal(playlist.lines.at(-1), '#EXT-X-ENDLIST', `${what} ends with ENDLIST`);
  assert.equal(playlist.lines.filter((l) => l.startsWith('#EXT-X-MAP:')).length, 1, `${what}: one MAP`);
  assert.ok(playlist.targetDuration >= 1 && playlist.targetDuration <= 6, `${what}: TARGETDURATION`);
  for (const d of playlist.durations) {
    assert.ok(d > 0 && Math.round(d) <= playlist.targetDuration, `${what}: EXTINF ${d}`);
  }
  const total = playlist.durations.reduce((a, b) => a + b, 0);
  assert.ok(
    Math.abs(total - duration) <= 1,
    `${what}: EXTINFs add up to ${total}, the file lasts ${duration}`,
  );
  assertCarries(playlist.map, c);
  for (const uri of playlist.segments) {
    assert.match(uri, /^\d+\.m4s\?/);
    assertCarries(uri, c);
  }
}

describe('HLS playlists describe what the segments hold', () => {
  for (const c of cases) {
    it(`${c.kind}${c.caps === undefined ? '' : ` caps=${c.caps}`}`, async () => {
      const path = await makeMedia(c.kind, { seconds: SECONDS });
      const duration = await fileDuration(path);
      const entry = await server.catalog.addLocalFile(path);
      const query = new URLSearchParams({ token: TOKEN, ...(c.caps === undefined ? {} : { caps: c.caps }) });
      const client = new HlsClient(`${server.url}/hls/${entry.infoHash}/0/master.m3u8?${query}`);
      const master = await client.master();
      assert.ok(master.text.includes('#EXT-X-INDEPENDENT-SEGMENTS\n'));
      assert.ok(master.variantUri.startsWith(`${c.video}/index.m3u8?`), master.variantUri);
      assertCarries(master.variantUri, c);
      assert.deepEqual(
        master.audios.map((a) => a.URI!.split('/')[0]),
        c.audios,
      );

      const codecs: string[] = [];
      for (const uri of [master.variantUri, ...master.audios.map((a) => a.URI!)]) {
        assertCarries(uri, c);
        const playlist = await client.media(uri);
        assertVod(playlist, duration, c, uri);
        const entry = sampleEntry(await client.bytes(playlist.map, playlist.url));
        codecs.push(entry.codecs);
        if (entry.width !== undefined) {
          assert.equal(master.variant.RESOLUTION, `${entry.width}x${entry.height}`, 'RESOLUTION');
        }
      }
      assert.deepEqual(master.variant.CODECS!.split(','), [...new Set(codecs)], 'CODECS');
    });
  }

  it('names each of several audio streams by language, and marks one default', async () => {
    const entry = await server.catalog.addLocalFile(await makeMedia('mkv-multi-audio', { seconds: SECONDS }));
    const client = new HlsClient(`${server.url}/hls/${entry.infoHash}/0/master.m3u8?token=${TOKEN}`);
    const { audios } = await client.master();
    assert.deepEqual(
      audios.map((a) => [a.LANGUAGE, a.NAME, a.DEFAULT, a['GROUP-ID'], a.CHANNELS]),
      [
        ['en', 'eng', 'YES', 'audio', '1'],
        ['fr', 'Français', 'NO', 'audio', '2'],
      ],
    );
    // audio=1 makes the second the default; the URIs carry the choice on.
    const second = await new HlsClient(
      `${server.url}/hls/${entry.infoHash}/0/master.m3u8?audio=1&token=${TOKEN}`,
    ).master();
    assert.deepEqual(
      second.audios.map((a) => a.DEFAULT),
      ['NO', 'YES'],
    );
    assert.ok(second.audios.every((a) => a.URI!.includes('audio=1')));
  });

  it('gives every audio rendition a LANGUAGE and a NAME, also when the file tags neither', async () => {
    const entry = await server.catalog.addLocalFile(
      await makeMedia('mkv-untagged-audio', { seconds: SECONDS }),
    );
    const client = new HlsClient(`${server.url}/hls/${entry.infoHash}/0/master.m3u8?token=${TOKEN}`);
    const { audios } = await client.master();
    assert.deepEqual(
      audios.map((a) => [a.LANGUAGE, a.NAME]),
      [
        ['und', 'Audio 1'],
        ['und', 'Audio 2'],
      ],
    );
  });

  it('hands a request let in by its Bearer header alone URIs that carry the file capability', async () => {
    const entry = await server.catalog.addLocalFile(await makeMedia('mp4', { seconds: SECONDS }));
    const master = `${server.url}/hls/${entry.infoHash}/0/master.m3u8`;
    const bearer = { headers: { Authorization: `Bearer ${TOKEN}` } };
    const answer = await fetch(master, bearer);
    assert.equal(answer.status, 200);
    const uris = (await answer.text()).split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    assert.ok(uris.length > 0);
    // Fetched as AVPlayer does: without the header, only what the URIs carry.
    for (const uri of uris) {
      assert.match(uri, /[?&]cap=[^&]+/, uri);
      const media = await fetch(new URL(uri, master));
      assert.equal(media.status, 200, uri);
      const body = await media.text();
      const map = /#EXT-X-MAP:URI="([^"]+)"/.exec(body)?.[1];
      const segment = body.split('\n').find((line) => line !== '' && !line.startsWith('#'));
      for (const part of [map, segment]) {
        assert.match(part ?? '', /[?&]cap=[^&]+/, `${uri}: ${part}`);
        const fetched = await fetch(new URL(part!, media.url));
        assert.equal(fetched.status, 200, part);
        await fetched.arrayBuffer();
      }
    }
    // The token itself never goes into a URI.
    assert.ok(uris.every((uri) => !uri.includes(TOKEN)));
  });
});
