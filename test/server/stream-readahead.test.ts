/**
 * A stream tells its torrent source the file's bitrate once probed: the reader's readahead window holds
 * AHEAD_MEDIA_SECONDS of playback. The only seeder lacks the middle of the file, so a direct Range read
 * there waits and its window stays as it was asked for.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Torrent } from 'webtorrent';
import { RAMP_CHUNK } from '../../src/stream/stream-pump.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { AHEAD_MEDIA_SECONDS } from '../../src/torrent/stream-priority.js';
import { makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

const PIECE = 64 * 1024;

let work: string;
let size: number;
let seeder: Seeder;
let engine: TorrentEngine;
let server: TestServer;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-stream-readahead-'));
  const path = await makeMedia('mkv-h264-noise', { seconds: 90, dir: work });
  size = statSync(path).size;
  seeder = await startSeeder(path, { pieceLength: PIECE });
  engine = await startTestEngine(join(work, 'dl'), { utp: false, tracker: false });
  server = await startTestServer({ torrents: engine });
});

after(async () => {
  await server?.close();
  await engine?.destroy();
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The seeder says it lacks pieces [from, to): nobody can get them. */
function holdBack(from: number, to: number): void {
  const bitfield = (seeder.torrent as unknown as { bitfield: { set(i: number, v: boolean): void } }).bitfield;
  for (let piece = from; piece < to; piece++) bitfield.set(piece, false);
}

function streamSelections(torrent: Torrent): Array<{ from: number; to: number }> {
  const internal = torrent as unknown as {
    _selections: { _items: Array<{ from: number; to: number; isStreamSelection: boolean }> };
  };
  return internal._selections._items.filter((s) => s.isStreamSelection).map(({ from, to }) => ({ from, to }));
}

it('a direct stream reads ahead seconds of media, by the probed bitrate', { timeout: 120_000 }, async () => {
  const pieces = Math.ceil(size / PIECE);
  holdBack(Math.floor(pieces * 0.15), Math.floor(pieces * 0.95));
  const infoHash = seeder.infoHash;
  await engine.add(seeder.magnet);
  await engine.waitForMetadata(infoHash);
  const probe = await fetch(`${server.url}/api/torrents/${infoHash}/files/0/probe`);
  assert.equal(probe.status, 200);
  const { duration } = (await probe.json()) as { duration: number };
  assert.ok(duration > AHEAD_MEDIA_SECONDS, `duration ${duration}`);

  const at = Math.floor(pieces * 0.2) * PIECE;
  const stream = new AbortController();
  const response = fetch(`${server.url}/stream/${infoHash}/0?mode=direct`, {
    headers: { Range: `bytes=${at}-` },
    signal: stream.signal,
  }).catch(() => undefined);
  const torrent = engine.torrent(infoHash)!;
  const first = at / PIECE;
  // The window runs from the read's last piece (the pump's first reads are small chunks) for 60 s of media.
  const last = Math.floor((at + RAMP_CHUNK - 1) / PIECE);
  const expected = last + Math.ceil((AHEAD_MEDIA_SECONDS * size) / duration / PIECE);
  await new Promise<void>((resolve) => {
    const check = () =>
      streamSelections(torrent).some((s) => s.from === first) ? resolve() : setImmediate(check);
    check();
  });
  const window = streamSelections(torrent).find((s) => s.from === first)!;
  stream.abort();
  await response;
  assert.equal(window.to, expected, `window ${JSON.stringify(window)}`);
});
