/**
 * A remux seek into a torrent not yet downloaded fetches the target region while the index (Matroska
 * Cues, at the end) is still on its way, not after it. The only seeder lacks every piece from the Cues on
 * until the test announces them, so neither the index read nor FFmpeg can have the index: pieces at the
 * target arriving meanwhile were asked for by the seek itself. Order and state, never time.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import { promisify } from 'node:util';
import { readKeyframes } from '../../src/stream/keyframes/index.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { type HeldPieces, holdBack } from '../helpers/held-pieces.js';
import { ffprobe, tools } from '../helpers/media.js';
import { ffmpegChildrenGone } from '../helpers/processes.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';
import { loopbackEngine, type PortSeeder, seedOnPort, waitFor } from '../reliability/support.js';

const run = promisify(execFile);
const PIECE = 64 * 1024;
const SECONDS = 40;
const T = 32; // 80 %

let work: string;
let mkv: Buffer;
let gate: HeldPieces;
let seeder: PortSeeder;
let engine: TorrentEngine;
let server: TestServer;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-seek-prefetch-'));
  const dir = join(work, 'seed');
  mkdirSync(dir);
  const path = join(dir, 'Film.mkv');
  // Noise makes a file large enough (~30 MB) that 80 % lies far from the head and the tail.
  const video = `testsrc2=size=320x180:rate=24:duration=${SECONDS},noise=alls=40:allf=t`;
  const audio = `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`;
  const encode = [
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '48',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
  ];
  await run((await tools()).ffmpeg, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', video, '-f', 'lavfi', '-i', audio],
    ...[...encode, '-shortest', path],
  ]);
  mkv = readFileSync(path);
  const cues = mkv.lastIndexOf(Buffer.from([0x1c, 0x53, 0xbb, 0x6b]));
  assert.ok(cues > mkv.length * 0.9, 'Cues at the end');
  // Capped, as a constrained swarm is: the background download (from byte 0) must not outrun the
  // order the priorities set.
  seeder = await seedOnPort(path, { pieceLength: PIECE, uploadLimit: 2_000_000 });
  gate = holdBack(seeder, cues);
  engine = await loopbackEngine(join(work, 'dl'), { utp: false });
  server = await startTestServer({ torrents: engine });
});

after(async () => {
  await server?.close();
  await engine?.destroy();
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

it('fetches the target of a seek while the index is still held back', { timeout: 60_000 }, async () => {
  const index = await readKeyframes(
    async (offset, length) => mkv.subarray(offset, offset + length),
    mkv.length,
    'matroska',
  );
  const k = index!.times.findLastIndex((time) => time <= T);
  const targetPiece = Math.floor(index!.byteOffsets![k]! / PIECE);
  const pieces = Math.ceil(mkv.length / PIECE);
  assert.ok(
    targetPiece > pieces / 2 && targetPiece < pieces - 64,
    `target piece ${targetPiece} of ${pieces}`,
  );

  const { entry } = await engine.add(
    `magnet:?xt=urn:btih:${seeder.torrent.infoHash}&x.pe=127.0.0.1:${seeder.port}`,
  );
  await engine.waitForMetadata(entry.infoHash);
  const torrent = engine.torrent(entry.infoHash)!;
  const order: number[] = [];
  torrent.on('verified', (piece: number) => order.push(piece));

  const streaming = fetch(`${server.url}/stream/${entry.infoHash}/0?t=${T}&mode=remux`);
  streaming.catch(() => undefined); // awaited below; a failed assertion must not leave it unhandled
  await waitFor('the keyframe before t to download', () => order.includes(targetPiece));
  // The index is still held back: nobody has read it, the stream waits for it, yet the target is here.
  assert.ok(
    gate.held.every((piece) => !torrent.bitfield?.get(piece)),
    'no piece of the index is there',
  );
  const answered = streaming.then(() => 'answered');
  assert.equal(await Promise.race([answered, setImmediate('waiting')]), 'waiting');
  // And the target came by the seek's priority, not by the background download from the start.
  const before = order.slice(0, order.indexOf(targetPiece));
  const between = before.filter((piece) => piece > 64 && piece < targetPiece - 64).length;
  assert.ok(between < (targetPiece - 128) / 2, `${between} pieces of the middle came before the target`);

  gate.release();
  const response = await streaming;
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-stream-start'), index!.times[k]!.toFixed(3));
  const probed = await ffprobe(await bodyBytes(response));
  assert.deepEqual(
    probed.streams.map((s) => s.codec_name),
    ['h264', 'aac'],
  );
  assert.deepEqual(await ffmpegChildrenGone(), []);
});
