/**
 * The readahead window: sized in seconds of media once the file's bitrate is known (an open hint), and
 * never a ceiling on the download — a reader that stops reading does not stop the torrent.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Torrent } from 'webtorrent';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { AHEAD_MEDIA_SECONDS, MIN_AHEAD_BYTES } from '../../src/torrent/stream-priority.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

const PIECE = 16 * 1024;
const SIZE = 8 * 1024 * 1024;
const PIECES = SIZE / PIECE;

let work: string;
let data: Buffer;
let seeder: Seeder;
let engine: TorrentEngine;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-readahead-'));
  data = randomBytes(SIZE);
  const path = join(work, 'movie.bin');
  writeFileSync(path, data);
  seeder = await startSeeder(path, { pieceLength: PIECE });
  engine = await startTestEngine(join(work, 'dl'), { utp: false, tracker: false });
});

after(async () => {
  await engine?.destroy();
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The raised (stream) selections of the torrent: [from, to] each. */
function streamSelections(torrent: Torrent): Array<[number, number]> {
  const internal = torrent as unknown as {
    _selections: { _items: Array<{ from: number; to: number; isStreamSelection: boolean }> };
  };
  return internal._selections._items.filter((s) => s.isStreamSelection).map((s) => [s.from, s.to]);
}

it('a waiting read raises its pieces and the next seconds of media', async () => {
  const { entry } = await engine.add(seeder.torrentFile);
  await engine.waitForMetadata(entry.infoHash);
  const torrent = engine.torrent(entry.infoHash)!;
  // No peer yet: the reads wait, and their windows stay as they were asked for.
  const windowOf = async (mediaBytesPerSecond?: number) => {
    const source = engine.open(entry.infoHash, 0, { mediaBytesPerSecond })!;
    const reader = new AbortController();
    const read = source.read(0, 1, { signal: reader.signal }).catch(() => undefined);
    const raised = streamSelections(torrent);
    reader.abort();
    await read;
    source.close();
    assert.equal(raised.length, 1, `one window: ${JSON.stringify(raised)}`);
    return raised[0]!;
  };
  const perSecond = 100_000;
  assert.deepEqual(await windowOf(perSecond), [0, Math.ceil((perSecond * AHEAD_MEDIA_SECONDS) / PIECE)]);
  // A low bitrate, and an unknown one before any download speed, get the smallest window.
  const smallest = Math.ceil(MIN_AHEAD_BYTES / PIECE);
  assert.deepEqual(await windowOf(1000), [0, smallest]);
  assert.deepEqual(await windowOf(undefined), [0, smallest]);
  // A huge bitrate is held to the file's end.
  assert.deepEqual(await windowOf(1e12), [0, PIECES - 1]);
  assert.deepEqual(streamSelections(torrent), [], 'every window went with its reader');
  await engine.remove(entry.infoHash, { deleteFiles: true });
});

it('a reader that stops reading leaves the rest of the torrent downloading', {
  timeout: 60_000,
}, async () => {
  const { entry } = await engine.add(seeder.torrentFile);
  await engine.waitForMetadata(entry.infoHash);
  const torrent = engine.torrent(entry.infoHash)!;
  // A window of MIN_AHEAD_BYTES: a quarter of the file, the rest only the background selection fetches.
  const source = engine.open(entry.infoHash, 0, { mediaBytesPerSecond: 1000 })!;
  const reader = new AbortController();
  const first = source.read(0, PIECE, { signal: reader.signal });
  engine.addPeer(entry.infoHash, `127.0.0.1:${seeder.port}`);
  assert.ok((await first).equals(data.subarray(0, PIECE)));
  // The reader pauses (a player with a full buffer): its window stays, no read follows.
  if (!torrent.done) await once(torrent, 'done');
  assert.equal(reader.signal.aborted, false);
  assert.deepEqual(engine.fileRanges(entry.infoHash, 0), [[0, SIZE]]);
  const last = await source.read(SIZE - PIECE, PIECE, { signal: reader.signal });
  assert.ok(last.equals(data.subarray(SIZE - PIECE)));
  reader.abort();
  source.close();
});
