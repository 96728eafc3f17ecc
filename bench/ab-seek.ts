/**
 * A seek on the constrained swarm, in the engine of the checkout it runs from: the bench's swarm (three
 * aria2c and three transmission-daemon seeders, capped each, handed out at a phase of their clocks) seeding
 * the swarm section's MP4, one reader that reads the file's start as a player does until it holds `--start`
 * bytes (about 2 s of media), then drops it and reads `--seek` bytes from 80 % of the file (not downloaded).
 * Prints one line per sample: the seconds from the seek to its first byte and to all of it, and the load.
 * For an A/B, run it from a worktree of each version, alternating, at the same phases:
 *
 *   git worktree add --detach ../base main && cp -a node_modules ../base/ && cp bench/ab-seek.ts ../base/bench/
 *   for p in 0.125 0.375 0.625 0.875; do for t in . ../base; do (cd $t && node --import tsx bench/ab-seek.ts --phase=$p); done; done
 *
 * Options: --cap (bytes/s per seeder, 35000: 1.4× the bitrate in all), --phase (0.25), --start (547000),
 * --seek (420000), --file (the bench's cached swarm MP4).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestEngine } from '../test/helpers/swarm.js';
import { startRealSwarm } from './lib/real-swarm.js';

const option = (name: string, fallback: number) => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
};
const CAP = option('cap', 35_000);
const PHASE = option('phase', 0.25);
const START = option('start', 547_000);
const SEEK = option('seek', 420_000);
const READ = 64 * 1024;
const file =
  process.argv.find((a) => a.startsWith('--file='))?.slice(7) ??
  '/tmp/streamtide-bench-cache/swarm-1200k-5min.mp4';
const size = statSync(file).size;

const swarm = await startRealSwarm(
  file,
  ['aria2c', 'transmission', 'aria2c', 'transmission', 'aria2c', 'transmission'],
  { uploadLimit: CAP, phase: PHASE },
);
const work = mkdtempSync(join(tmpdir(), 'streamtide-ab-seek-'));
const engine = await startTestEngine(join(work, 'dl'), { utp: false, tracker: false });
try {
  const { entry } = await engine.add(swarm.magnet);
  const added = performance.now();
  await engine.waitForMetadata(entry.infoHash);
  const source = engine.open(entry.infoHash, 0, { mediaBytesPerSecond: size / 300 })!;
  const playing = new AbortController();
  for (let offset = 0; offset < START; ) {
    offset += (await source.read(offset, READ, { signal: playing.signal })).length;
  }
  const started = performance.now() - added;
  // The player's next read is out when it cuts the response.
  void source.read(START, READ, { signal: playing.signal }).catch(() => {});
  playing.abort();
  const seeking = new AbortController();
  const from = Math.floor(size * 0.8);
  const seek = performance.now();
  let firstByte = 0;
  for (let offset = from; offset < from + SEEK; ) {
    offset += (await source.read(offset, READ, { signal: seeking.signal })).length;
    firstByte ||= performance.now() - seek;
  }
  const held = performance.now() - seek;
  seeking.abort();
  source.close();
  const s = (ms: number) => (ms / 1000).toFixed(2);
  console.log(
    `phase ${PHASE} cap ${CAP}: started ${s(started)} s, seek first byte ${s(firstByte)} s, held ${s(held)} s ` +
      `(load ${loadavg()[0]!.toFixed(2)})`,
  );
} finally {
  await engine.destroy();
  await swarm.stop();
  rmSync(work, { recursive: true, force: true });
}
