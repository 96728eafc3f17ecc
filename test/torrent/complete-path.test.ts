/**
 * A torrent file says where it is on disk only once all of it is verified there: downloaded in full from a
 * loopback seeder it gives the store's file (holding exactly the seeded bytes), and FFmpeg then reads that
 * file as its stdin with no pump; with no peer to fetch from, or with a file on disk of the wrong size, it
 * gives nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FfmpegJob } from '../../src/stream/ffmpeg-job.js';
import { locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';
import { collectText } from '../../src/stream/ffmpeg-runner.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

let work: string;
let seeder: Seeder;
let data: Buffer;
const engines: TorrentEngine[] = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-complete-'));
  mkdirSync(join(work, 'content'));
  data = randomBytes(2 * 1024 * 1024 + 4321);
  const path = join(work, 'content', 'data.u8');
  writeFileSync(path, data);
  seeder = await startSeeder(path, { pieceLength: 64 * 1024 });
});

after(async () => {
  for (const engine of engines) await engine.destroy();
  await seeder?.close();
  rmSync(work, { recursive: true, force: true });
});

async function engineWith(name: string, input: string | Uint8Array) {
  const engine = await startTestEngine(join(work, name), { utp: false, tracker: false });
  engines.push(engine);
  const { entry } = await engine.add(input);
  await engine.waitForMetadata(entry.infoHash);
  return { engine, infoHash: entry.infoHash };
}

test('a fully downloaded torrent file gives its store path, read by FFmpeg as stdin', {
  timeout: 60_000,
}, async () => {
  const { engine, infoHash } = await engineWith('complete', seeder.magnet);
  const source = engine.open(infoHash, 0);
  assert.ok(source?.completePath);
  // Reading to the end waits for every piece, which is then verified and written.
  for (let offset = 0; offset < source.size; offset += 512 * 1024) await source.read(offset, 512 * 1024);
  const path = source.completePath();
  assert.ok(path, 'complete: a path');
  assert.ok(path.startsWith(join(work, 'complete')), path);
  assert.ok(readFileSync(path).equals(data), 'the file holds exactly the seeded bytes');

  const tools = await locateFfmpeg();
  const raw = ['-f', 'u8', '-ar', '8000', '-ac', '1'];
  const job = FfmpegJob.start({
    binary: tools.ffmpeg,
    args: (input) => ['-hide_banner', '-loglevel', 'error', ...raw, '-i', input, ...raw, 'pipe:1'],
    input: { kind: 'pipe', source },
  });
  assert.equal(job.pump, null, 'FFmpeg reads the file itself');
  const output = new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    job.output.on('data', (chunk: Buffer) => chunks.push(chunk));
    job.output.once('end', () => resolve(Buffer.concat(chunks)));
  });
  const [out, result] = await Promise.all([output, job.done]);
  assert.equal(result.outcome, 'complete', result.error?.message);
  assert.equal(result.bytesIn, data.length);
  assert.ok(out.equals(data), 'every byte, in order');

  appendFileSync(path, 'x'); // no longer the torrent's file
  assert.equal(source.completePath(), null, 'a file of the wrong size is not given');
  source.close();
  assert.equal(source.completePath(), null, 'nor by a closed source');
});

test('a torrent file not (yet) downloaded gives no path', { timeout: 60_000 }, async () => {
  // The .torrent without any peer: metadata, and not a piece.
  const { engine, infoHash } = await engineWith('empty', seeder.torrentFile);
  const source = engine.open(infoHash, 0);
  assert.ok(source?.completePath);
  assert.equal(source.completePath(), null);
  const tools = await locateFfmpeg();
  const job = FfmpegJob.start({
    binary: tools.ffmpeg,
    args: (input) => ['-hide_banner', '-f', 'u8', '-ar', '8000', '-i', input, '-f', 'null', '-'],
    input: { kind: 'pipe', source },
  });
  assert.ok(job.pump, 'pumped, waiting for pieces');
  void collectText(job.output);
  await job.stop();
  source.close();
});
