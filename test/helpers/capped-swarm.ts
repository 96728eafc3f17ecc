/**
 * A capped swarm of aria2c seeders for tests: random data, one seeder per host, each capped, in a temp
 * folder of its own; and, for a describe block, that swarm with a fresh engine (TCP only, no trackers),
 * started before its tests and stopped after them, whose torrent a test adds and reads (and is removed
 * after each test).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import type { Torrent } from 'webtorrent';
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
  /**
   * Adds the swarm's torrent to the engine, its metadata in: from the magnet (every seeder a peer hint), or
   * from the .torrent (no peer known until `dial`).
   */
  add(from: 'magnet' | 'torrent'): Promise<SwarmTorrent>;
}

export interface SwarmTorrent {
  torrent: Torrent;
  /** Dials every seeder. */
  dial(): void;
  /** Starts a read of the file (stopped after the test); `expected` is what it must answer. */
  read(offset: number, length: number): { bytes: Promise<Buffer>; expected: Buffer };
}

export function withCappedSwarm(options: CappedSwarmOptions): CappedSwarmFixture {
  /** What a test started: stopped after it, so the next can add the same torrent afresh. */
  const started: Array<() => Promise<unknown>> = [];
  const fixture = {
    async add(from) {
      const { swarm, engine } = fixture;
      const { entry } = await engine.add(from === 'magnet' ? swarm.magnet : swarm.torrentFile);
      const { infoHash } = entry;
      started.push(() => engine.remove(infoHash, { deleteFiles: true }));
      await engine.waitForMetadata(infoHash);
      return {
        torrent: engine.torrent(infoHash)!,
        dial: () => {
          for (const seeder of swarm.seeders) engine.addPeer(infoHash, seeder.peer);
        },
        read: (offset, length) => {
          const source = engine.open(infoHash, 0)!;
          const reader = new AbortController();
          started.push(async () => {
            reader.abort();
            await source.close();
          });
          const bytes = source.read(offset, length, { signal: reader.signal });
          // Awaited by the test; a failed assertion before must not leave it unhandled.
          bytes.catch(() => undefined);
          return { bytes, expected: swarm.data.subarray(offset, offset + length) };
        },
      };
    },
  } as CappedSwarmFixture;
  before(async () => {
    fixture.swarm = await startCappedAria2cSwarm(options);
    fixture.engine = await startTestEngine(join(fixture.swarm.work, 'dl'), { utp: false, tracker: false });
  });
  afterEach(async () => {
    for (const stop of started.splice(0).reverse()) await stop();
  });
  after(async () => {
    await fixture.engine?.destroy();
    await fixture.swarm?.stop();
  });
  return fixture;
}
