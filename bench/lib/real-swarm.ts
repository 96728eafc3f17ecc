/**
 * A swarm of real BitTorrent clients (test/helpers/real-seeders.ts) seeding one file under a fresh torrent:
 * the file is hard-linked under a new name into a folder of its own, so every swarm has an info-hash no
 * client has seen (a cold start), and every seeder listens on its own 127.0.0.x address.
 */
import { linkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import {
  makeTorrent,
  type RealSeeder,
  type SeederKind,
  startAria2cSeeder,
  startTransmissionSeeder,
} from '../../test/helpers/real-seeders.js';

export interface RealSwarm {
  infoHash: string;
  /** The file's name in the torrent (peers' HTTP servers name it so). */
  name: string;
  /** The trackerless magnet with every seeder as an `x.pe` peer hint. */
  magnet: string;
  peers: string[];
  seeders: RealSeeder[];
  stop(): Promise<void>;
}

let swarms = 0;

/**
 * Seeds `path` from one seeder per entry of `kinds` (on 127.0.0.2, .3, …), each capped at `uploadLimit`
 * bytes/s when given.
 */
export async function startRealSwarm(
  path: string,
  kinds: SeederKind[],
  uploadLimit?: number,
): Promise<RealSwarm> {
  const dataDir = mkdtempSync(join(tmpdir(), 'streamtide-bench-swarm-'));
  const ext = extname(path);
  const name = `${basename(path, ext)}-${process.pid}-${++swarms}${ext}`;
  linkSync(path, join(dataDir, name));
  const made = makeTorrent(join(dataDir, name));
  const started = await Promise.allSettled(
    kinds.map((kind, i) => {
      const options = { torrent: made.torrent, dataDir, host: `127.0.0.${2 + i}`, uploadLimit };
      return kind === 'aria2c' ? startAria2cSeeder(options) : startTransmissionSeeder(options);
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
  const peers = seeders.map((s) => s.peer);
  return {
    infoHash: made.infoHash,
    name,
    magnet: `${made.magnet}${peers.map((p) => `&x.pe=${p}`).join('')}`,
    peers,
    seeders,
    stop,
  };
}
