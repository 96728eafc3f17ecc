/**
 * The first pieces of a stream on a constrained swarm, in the engine of the checkout it runs from: six
 * seeders (aria2c and transmission-daemon alternately, each on its own 127.0.0.x, capped per seeder), a
 * magnet with every seeder as a peer hint, and one reader that reads the first pieces in turn, each as soon
 * as the one before is in (as a stream's start does). Prints, per round, the seconds from the add to the
 * metadata and to each piece read, and how many blocks of those pieces came twice. For an A/B, run it from
 * a worktree of each version, alternating:
 *
 *   git worktree add --detach ../base main && cp -a node_modules ../base/
 *   node --import tsx bench/ab-first-pieces.ts --cap=35000 --rounds=3   # here, then in ../base, ...
 *
 * Options: --cap (bytes/s per seeder, 35000), --pieces (3), --rounds (3), --seeders (6).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Wire } from 'webtorrent';
import {
  makeTorrent,
  type RealSeeder,
  startAria2cSeeder,
  startTransmissionSeeder,
} from '../test/helpers/real-seeders.js';
import { startTestEngine } from '../test/helpers/swarm.js';

const PIECE = 256 * 1024;
const option = (name: string, fallback: number) => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
};
const CAP = option('cap', 35_000);
const PIECES = option('pieces', 3);
const ROUNDS = option('rounds', 3);
const SEEDERS = option('seeders', 6);

async function round(): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'streamtide-ab-first-'));
  const seeders: RealSeeder[] = [];
  try {
    const dataDir = join(work, 'seed');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'movie.bin'), randomBytes(40 * PIECE));
    const made = makeTorrent(join(dataDir, 'movie.bin'), PIECE);
    for (let i = 0; i < SEEDERS; i++) {
      const options = { torrent: made.torrent, dataDir, host: `127.0.0.${61 + i}`, uploadLimit: CAP };
      seeders.push(await (i % 2 === 0 ? startAria2cSeeder(options) : startTransmissionSeeder(options)));
    }
    const engine = await startTestEngine(join(work, 'dl'), { utp: false, tracker: false });
    try {
      const start = performance.now();
      const seconds = () => ((performance.now() - start) / 1000).toFixed(2);
      const { entry } = await engine.add(`${made.magnet}${seeders.map((s) => `&x.pe=${s.peer}`).join('')}`);
      const torrent = engine.torrent(entry.infoHash)!;
      const arrived = new Set<string>();
      let twice = 0;
      const watch = (wire: Wire) =>
        wire.on('piece', (piece: number, offset: number) => {
          if (piece >= PIECES) return;
          if (arrived.has(`${piece}:${offset}`)) twice++;
          arrived.add(`${piece}:${offset}`);
        });
      for (const wire of torrent.wires) watch(wire);
      torrent.on('wire', watch);
      await engine.waitForMetadata(entry.infoHash);
      const times = [`metadata ${seconds()}`];
      const source = engine.open(entry.infoHash, 0)!;
      const reader = new AbortController();
      for (let piece = 0; piece < PIECES; piece++) {
        await source.read(piece * PIECE, PIECE, { signal: reader.signal });
        times.push(`piece ${piece} ${seconds()}`);
      }
      reader.abort();
      source.close();
      return `${times.join(', ')}; blocks twice ${twice}`;
    } finally {
      await engine.destroy();
    }
  } finally {
    for (const seeder of seeders) await seeder.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

for (let i = 0; i < ROUNDS; i++) {
  console.log(`cap ${CAP} B/s: ${await round()} (load ${loadavg()[0]!.toFixed(2)})`);
}
process.exit(0);
