/**
 * Cold magnet → first remux fragment when the seeders are real clients, on an unthrottled loopback: an
 * aria2c and a transmission-daemon seeder together (the target's row), each alone (where the metadata
 * wait comes from), and the bench's own webtorrent seeder as the reference, in turns, each sample a
 * torrent nobody has (a fresh info-hash), deleted with its data after. The media is the constrained
 * swarm's MKV. Each sample also reads the server's own phases (the torrent's lastStart).
 */
import { loadavg } from 'node:os';
import type { StartPhases } from '../../src/catalog/start-ledger.js';
import type { SeederKind } from '../../test/helpers/real-seeders.js';
import { api, timeToFirstMoof } from '../lib/http.js';
import { bitrateMedia } from '../lib/media.js';
import type { BenchOptions } from '../lib/options.js';
import { lastPhases, type PhaseMedians, phaseMedians } from '../lib/phases.js';
import { childrenOf } from '../lib/procs.js';
import { startRealSwarm } from '../lib/real-swarm.js';
import { startSeeder } from '../lib/seeder-client.js';
import { type ServerChild, startServer } from '../lib/server.js';
import { median, now } from '../lib/stats.js';

export interface ColdSeries {
  samples: number[];
  median: number;
  phases: PhaseMedians;
}

export interface RealTtffResult {
  media: { bytes: number; seconds: number };
  both: ColdSeries;
  aria2c: ColdSeries;
  transmission: ColdSeries;
  /** The bench's webtorrent seeder (bench/seeder.ts). */
  webtorrent: ColdSeries;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

const load = () => loadavg().map((l) => Number(l.toFixed(2)));

const KINDS: Array<['both' | 'aria2c' | 'transmission', SeederKind[]]> = [
  ['both', ['aria2c', 'transmission']],
  ['aria2c', ['aria2c']],
  ['transmission', ['transmission']],
];

export async function benchRealTtff(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<RealTtffResult> {
  const media = await bitrateMedia(options.cacheDir, options.swarmMinutes);
  const n = options.realSamples;
  const loadAverageBefore = load();
  const seeder = await startSeeder({ files: [{ path: media.mkv.path, copies: n }] });
  const server = await startServer();
  const collected = new Map<string, { samples: number[]; phases: StartPhases[] }>();
  const cold = async (label: string, infoHash: string, magnet: string) => {
    const started = now();
    await api(server.url, 'POST', '/api/torrents', { source: magnet });
    await timeToFirstMoof(`${server.url}/stream/${infoHash}/0?mode=remux`);
    const ms = now() - started;
    const phases = await lastPhases(server.url, infoHash);
    log(`  cold remux, ${label} seeders: ${ms.toFixed(0)} ms, phases ${JSON.stringify(phases)}`);
    const into = collected.get(label) ?? { samples: [], phases: [] };
    into.samples.push(ms);
    into.phases.push(phases);
    collected.set(label, into);
    await api(server.url, 'DELETE', `/api/torrents/${infoHash}?deleteFiles=true`);
    await idle(server);
  };
  try {
    const copies = seeder.of(media.mkv.path);
    for (let i = 0; i < n; i++) {
      for (const [label, kinds] of KINDS) {
        const swarm = await startRealSwarm(media.mkv.path, kinds);
        try {
          await cold(label, swarm.infoHash, swarm.magnet);
        } finally {
          await swarm.stop();
        }
      }
      await cold('webtorrent', copies[i]!.infoHash, copies[i]!.magnet);
    }
  } finally {
    await server.close();
    await seeder.close();
  }
  const series = (label: string): ColdSeries => {
    const { samples, phases } = collected.get(label) ?? { samples: [], phases: [] };
    return { samples, median: median(samples), phases: phaseMedians(phases) };
  };
  return {
    media: { bytes: media.mkv.size, seconds: media.mkv.duration },
    both: series('both'),
    aria2c: series('aria2c'),
    transmission: series('transmission'),
    webtorrent: series('webtorrent'),
    loadAverageBefore,
    loadAverageAfter: load(),
  };
}

/** Waits (bounded) until the server has no FFmpeg left from the last sample, so samples do not overlap. */
async function idle(server: ServerChild): Promise<void> {
  const until = now() + 5000;
  while (childrenOf(server.pid, 'ffmpeg').length > 0 && now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
