/**
 * A capped swarm of aria2c seeders for tests: random data, one seeder per host, each capped, in a temp
 * folder of its own; and, for a describe block, that swarm with a fresh engine (TCP only, no trackers),
 * started before its tests and stopped after them.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { makeTorrent, type RealSeeder, startAria2cSeeder } from './real-seeders.js';
import { startTestEngine } from './swarm.js';

/** Random data seeded by capped aria2c seeders, one per host, from a temp folder of its own. */
export interface CappedSwarm {
  /** The temp folder: the seeders' data under `seed/`; a test may use the rest. */
  work: string;
  data: Buffer;
  torrentFile: Buffer;
  /** The magnet with every seeder as a peer hint. */
  magnet: string;
  seeders: RealSeeder[];
  stop(): Promise<void>;
}

async function startCappedAria2cSwarm(options: CappedSwarmOptions): Promise<CappedSwarm> {
  const work = mkdtempSync(join(tmpdir(), options.prefix));
  const seeders: RealSeeder[] = [];
  const stop = async () => {
    for (const seeder of seeders) await seeder.stop();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const dataDir = join(work, 'seed');
    mkdirSync(dataDir);
    const data = randomBytes(options.pieces * options.pieceLength);
    const path = join(dataDir, 'movie.bin');
    writeFileSync(path, data);
    const made = makeTorrent(path, options.pieceLength);
    for (const host of options.hosts) {
      seeders.push(
        await startAria2cSeeder({ torrent: made.torrent, dataDir, host, uploadLimit: options.uploadLimit }),
      );
    }
    const magnet = `${made.magnet}${seeders.map((s) => `&x.pe=${s.peer}`).join('')}`;
    return { work, data, torrentFile: made.torrent, magnet, seeders, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface CappedSwarmOptions {
  prefix: string;
  pieceLength: number;
  pieces: number;
  hosts: string[];
  /** Bytes a second, per seeder. */
  uploadLimit: number;
}

export interface CappedSwarmFixture {
  swarm: CappedSwarm;
  engine: TorrentEngine;
}

export function withCappedSwarm(options: CappedSwarmOptions): CappedSwarmFixture {
  const fixture = {} as CappedSwarmFixture;
  before(async () => {
    fixture.swarm = await startCappedAria2cSwarm(options);
    fixture.engine = await startTestEngine(join(fixture.swarm.work, 'dl'), { utp: false, tracker: false });
  });
  after(async () => {
    await fixture.engine?.destroy();
    await fixture.swarm?.stop();
  });
  return fixture;
}
