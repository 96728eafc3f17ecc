/**
 * A swarm of real BitTorrent clients (test/helpers/real-seeders.ts) seeding one file under a fresh torrent:
 * the file is hard-linked under a new name into a folder of its own, so every swarm has an info-hash no
 * client has seen (a cold start), and every seeder listens on its own 127.0.0.x address.
 *
 * A swarm met in the wild has been seeding a while, and the seeders' clocks are at some phase when a peer
 * arrives: aria2c accepts connections in a once-a-second sweep, transmission unchokes on a rechoke every
 * 10 s from its torrent's start. Seeders started just before the add meet every peer at the same, worst
 * phase (transmission's first unchoke ~10 s away). So a swarm can be handed out at a given `phase` of that
 * 10 s cycle, its seeders having seeded for spread times, as a swarm met at a random moment.
 */
import { linkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  makeTorrent,
  type RealSeeder,
  type SeederKind,
  startAria2cSeeder,
  startTransmissionSeeder,
} from '../../test/helpers/real-seeders.js';
import { now } from './stats.js';

/** transmission's rechoke period, the seeders' longest clock; aria2c's 1 s accept sweep divides it. */
export const SEEDER_CYCLE_MS = 10_000;

/**
 * The least a seeder of a steady swarm has seeded when it is handed out: a seeder met just as it began is
 * the fresh case, even where its clocks' phase is the same a cycle later.
 */
const MIN_UP_MS = 1000;

/** The phase of sample `i` of `n`: one per stratum of the cycle, so n samples meet it evenly. */
export const stratifiedPhase = (i: number, n: number) => (i + 0.5) / n;

/** Where the seeders' clocks stood when the swarm was handed out (recorded with each sample). */
export interface SeederClock {
  /** 0 ≤ phase < 1 of the cycle; null: fresh seeders, handed out as soon as they seed. */
  phase: number | null;
  /** How long each seeder (in the order of `kinds`) had been seeding, ms. */
  agesMs: number[];
}

export interface RealSwarm {
  infoHash: string;
  /** The file's name in the torrent (peers' HTTP servers name it so). */
  name: string;
  /** The trackerless magnet with every seeder as an `x.pe` peer hint. */
  magnet: string;
  peers: string[];
  seeders: RealSeeder[];
  clock: SeederClock;
  stop(): Promise<void>;
}

export interface RealSwarmOptions {
  /** Per-seeder upload cap, bytes/s. */
  uploadLimit?: number;
  /**
   * Hand the swarm out at this phase of the cycle (0 ≤ phase < 1): seeder k of K has then been seeding
   * for 1 s + ((phase + k / K) mod 1) × the cycle, so the K seeders' clocks are spread over it as
   * independent seeders' would be. Without it the seeders are fresh: handed out as soon as they all seed
   * (the cold worst case).
   */
  phase?: number;
}

let swarms = 0;

/** Seeds `path` from one seeder per entry of `kinds` (on 127.0.0.2, .3, …). */
export async function startRealSwarm(
  path: string,
  kinds: SeederKind[],
  options: RealSwarmOptions = {},
): Promise<RealSwarm> {
  const dataDir = mkdtempSync(join(tmpdir(), 'streamtide-bench-swarm-'));
  const ext = extname(path);
  const name = `${basename(path, ext)}-${process.pid}-${++swarms}${ext}`;
  linkSync(path, join(dataDir, name));
  const made = makeTorrent(join(dataDir, name));
  const { phase } = options;
  const ages = kinds.map((_, k) =>
    phase === undefined ? 0 : MIN_UP_MS + ((phase + k / kinds.length) % 1) * SEEDER_CYCLE_MS,
  );
  const oldest = Math.max(...ages);
  // The oldest starts first; each of the others once the oldest has been up for the difference.
  const started = await Promise.allSettled(
    kinds.map(async (kind, i) => {
      await sleep(oldest - ages[i]!);
      const seederOptions = {
        torrent: made.torrent,
        dataDir,
        host: `127.0.0.${2 + i}`,
        uploadLimit: options.uploadLimit,
      };
      return kind === 'aria2c' ? startAria2cSeeder(seederOptions) : startTransmissionSeeder(seederOptions);
    }),
  );
  const seeders = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    await Promise.all(seeders.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  // Seeder 0 is handed out at its phase exactly; the others' start-up times vary, so theirs are near.
  const handOut = Math.max(seeders[0]!.seedingSince + ages[0]!, ...seeders.map((s) => s.seedingSince));
  await sleep(Math.max(0, handOut - now()));
  const at = now();
  const peers = seeders.map((s) => s.peer);
  return {
    infoHash: made.infoHash,
    name,
    magnet: `${made.magnet}${peers.map((p) => `&x.pe=${p}`).join('')}`,
    peers,
    seeders,
    clock: { phase: phase ?? null, agesMs: seeders.map((s) => Math.round(at - s.seedingSince)) },
    stop,
  };
}
