/**
 * A torrent that names 10 000 trackers: the engine keeps the first MAX_TRACKERS (announcing to 10 000 blocked
 * the event loop for seconds, on add and again on shutdown), and closing the engine sends trackers no
 * 'stopped' announce, so no tracker, slow or not, holds up a shutdown. Trackers here are one bittorrent-tracker
 * server on 127.0.0.1 under 10 000 URLs.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { Server } from 'bittorrent-tracker';
import parseTorrent from 'parse-torrent';
import { MAX_TRACKERS } from '../../src/torrent/attach.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { type SavedTorrent, STATE_FILE } from '../../src/torrent/state-store.js';
import { bencode, loopbackEngine, waitFor } from './support.js';

let work: string;
let tracker: Server;
let announceUrl: string;
const announces = { started: 0, stopped: 0, other: 0 };

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-trackers-'));
  tracker = new Server({ udp: false, http: true, ws: false, stats: false });
  tracker.on('warning', () => {});
  await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', () => resolve()));
  tracker.http!.on('request', (request) => {
    const event = new URL(request.url ?? '/', 'http://x').searchParams.get('event');
    if (event === 'started') announces.started++;
    else if (event === 'stopped') announces.stopped++;
    else announces.other++;
  });
  announceUrl = `http://127.0.0.1:${(tracker.http!.address() as AddressInfo).port}/announce`;
});

after(async () => {
  await new Promise<void>((resolve) => tracker.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

function torrentWithTrackers(urls: string[]): Buffer {
  const content = Buffer.alloc(1000, 1);
  return bencode({
    announce: urls[0]!,
    'announce-list': urls.map((url) => [url]),
    info: {
      name: 'many-trackers.bin',
      'piece length': 16_384,
      length: content.length,
      pieces: createHash('sha1').update(content).digest(),
    },
  });
}

it(`announces to the first ${MAX_TRACKERS} of 10 000 trackers, and sends none 'stopped' on close`, {
  timeout: 60_000,
}, async () => {
  const urls = Array.from({ length: 10_000 }, (_, i) => `${announceUrl}?tracker=${i}`);
  const engine: TorrentEngine = await loopbackEngine(join(work, 'dl'), { utp: false, tracker: true });
  try {
    const { entry } = await engine.add(torrentWithTrackers(urls));
    assert.deepEqual(engine.torrent(entry.infoHash)?.announce, urls.slice(0, MAX_TRACKERS));
    await waitFor(`${MAX_TRACKERS} announces`, () => announces.started >= MAX_TRACKERS);
  } finally {
    await engine.destroy();
  }
  // A request sent after the close is answered after any the close sent (all on loopback, to one server).
  await (await fetch(`${announceUrl}?after=close`)).arrayBuffer();
  assert.deepEqual(announces, { started: MAX_TRACKERS, stopped: 0, other: 1 });
  // The state file keeps what is announced to, not the 10 000.
  const state = JSON.parse(readFileSync(join(work, 'dl', STATE_FILE), 'utf8')) as {
    torrents: SavedTorrent[];
  };
  const saved = await parseTorrent(Buffer.from(state.torrents[0]!.torrent!, 'base64'));
  assert.equal((saved as { announce?: string[] }).announce?.length, MAX_TRACKERS);
});
