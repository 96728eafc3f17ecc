/**
 * Once a stream of a torrent file is out, the file's keyframe index (Matroska Cues, at the end) is read in
 * the background, so a later seek knows where its keyframe is without reading the index again. The only
 * seeder lacks the pieces from the Cues on until the test announces them: the file cannot be complete
 * before the stream starts, and the background read is seen waiting for them. Order and state, never time.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { promisify } from 'node:util';
import type { DataSource, ReadOptions } from '../../src/stream/data-source.js';
import { readKeyframes } from '../../src/stream/keyframes/index.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { type HeldPieces, holdBack } from '../helpers/held-pieces.js';
import { ffprobe, tools } from '../helpers/media.js';
import { ffmpegChildrenGone } from '../helpers/processes.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';
import { loopbackEngine, type PortSeeder, seedOnPort, waitFor } from '../reliability/support.js';

const run = promisify(execFile);
const PIECE = 64 * 1024;
const SECONDS = 20;
const T = 16; // 80 %

/** A read through a source the server opened: which source, what, how, and whether it has returned. */
interface SeenRead {
  source: number;
  offset: number;
  end: number;
  background: boolean;
  done: boolean;
}

let work: string;
let mkv: Buffer;
let cues: number;
let gate: HeldPieces;
let seeder: PortSeeder;
let engine: TorrentEngine;
let server: TestServer;
const reads: SeenRead[] = [];
let opened = 0;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-index-ahead-'));
  const dir = join(work, 'seed');
  mkdirSync(dir);
  const path = join(dir, 'Film.mkv');
  const video = `testsrc2=size=320x180:rate=24:duration=${SECONDS},noise=alls=40:allf=t`;
  const audio = `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`;
  await run((await tools()).ffmpeg, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', video, '-f', 'lavfi', '-i', audio],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '48', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
    ...['-shortest', path],
  ]);
  mkv = readFileSync(path);
  cues = mkv.lastIndexOf(Buffer.from([0x1c, 0x53, 0xbb, 0x6b]));
  assert.ok(cues > mkv.length * 0.9, 'Cues at the end');
  seeder = await seedOnPort(path, { pieceLength: PIECE });
  gate = holdBack(seeder, cues);
  engine = await loopbackEngine(join(work, 'dl'), { utp: false });
  server = await startTestServer({ torrents: engine });
  // Every source the server opens (the streams', the index reader's) is watched: what it reads, and how.
  const open = server.catalog.open.bind(server.catalog);
  server.catalog.open = async (...args) => watched(await open(...args), ++opened);
});

after(async () => {
  await server?.close();
  await engine?.destroy();
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

function watched(source: DataSource, id: number): DataSource {
  return new Proxy(source, {
    get(target, key, receiver) {
      if (key !== 'read') return Reflect.get(target, key, receiver);
      return async (offset: number, length: number, options: ReadOptions = {}) => {
        const seen = {
          source: id,
          offset,
          end: offset + length,
          background: !!options.background,
          done: false,
        };
        reads.push(seen);
        const bytes = await target.read(offset, length, options);
        seen.done = true;
        return bytes;
      };
    },
  });
}

const touchesIndex = (read: SeenRead) => read.end > cues && read.offset < mkv.length;

/** Reads `response`'s body until its first media fragment (a moof box) has come; returns the reader. */
async function untilFirstFragment(response: Response) {
  const reader = response.body!.getReader();
  let got = Buffer.alloc(0);
  while (!got.includes('moof')) {
    const { value, done } = await reader.read();
    assert.ok(!done, 'the stream ended before its first fragment');
    got = Buffer.concat([got, value]);
  }
  return reader;
}

it('reads the index in the background once a stream is out; a later seek uses it', {
  timeout: 90_000,
}, async () => {
  const index = await readKeyframes(
    async (offset, length) => mkv.subarray(offset, offset + length),
    mkv.length,
    'matroska',
  );
  const keyframe = index!.times.findLast((time) => time <= T)!;
  const { entry } = await engine.add(
    `magnet:?xt=urn:btih:${seeder.torrent.infoHash}&x.pe=127.0.0.1:${seeder.port}`,
  );
  await engine.waitForMetadata(entry.infoHash);
  const stream = `${server.url}/stream/${entry.infoHash}/0`;

  const playing = await fetch(`${stream}?mode=remux`);
  assert.equal(playing.status, 200);
  const reader = await untilFirstFragment(playing);
  // Nobody seeks yet, and the index's pieces are held back: a read of them now is the background one.
  await waitFor('a background read of the index', () => reads.some((r) => r.background && touchesIndex(r)));
  gate.release();
  await waitFor('the background read to return', () =>
    reads.some((r) => r.background && touchesIndex(r) && r.done),
  );
  await reader.cancel();

  // The seek's start comes from the index, and nothing reads the index for it.
  const mark = reads.length;
  const openedBefore = opened;
  const head = await fetch(`${stream}?mode=remux&t=${T}`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('x-stream-start'), keyframe.toFixed(3));
  assert.deepEqual(reads.slice(mark).filter(touchesIndex), [], 'the HEAD read the index');

  // A seek that plays: FFmpeg reads the index itself, through the stream's source; nothing else does.
  const seek = await fetch(`${stream}?mode=remux&t=${T}`);
  assert.equal(seek.status, 200);
  assert.equal(seek.headers.get('x-stream-start'), keyframe.toFixed(3));
  const probed = await ffprobe(await bodyBytes(seek));
  assert.deepEqual(
    probed.streams.map((s) => s.codec_name),
    ['h264', 'aac'],
  );
  // (The first stream's source may still be finishing a read as it stops: only the seeks' sources count.)
  const sources = new Set(reads.slice(mark).flatMap((r) => (r.source > openedBefore ? [r.source] : [])));
  assert.equal(
    opened - openedBefore,
    2,
    'a source for the HEAD and one for the seek, none for an index read',
  );
  assert.equal(sources.size, 1, 'only the seek’s own source read (the HEAD read nothing)');
  assert.deepEqual(await ffmpegChildrenGone(), []);
});
