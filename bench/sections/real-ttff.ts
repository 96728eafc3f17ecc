/**
 * Cold magnet → first remux fragment when the seeders are real clients, on an unthrottled loopback: an
 * aria2c and a transmission-daemon seeder together (the target's row), each alone (where the metadata
 * wait comes from), and the bench's own webtorrent seeder as the reference, in turns, each sample a
 * torrent nobody has (a fresh info-hash), deleted with its data after. The real clients have been seeding
 * a while when the magnet is added: sample i of n meets their clocks at phase (i + 0.5) / n of the 10 s
 * cycle (real-swarm.ts), as the bench's webtorrent seeder, up for the whole run, is met at whatever phase.
 * One more series adds the magnet as soon as fresh aria2c + transmission seeders seed: the cold-seeder
 * worst case. The media is the constrained swarm's MKV. Each sample also reads the server's own phases
 * (the torrent's lastStart).
 */
import { loadavg } from 'node:os';
import type { StartPhases } from '../../src/catalog/start-ledger.js';
import type { SeederKind } from '../../test/helpers/real-seeders.js';
import { api, timeToFirstMoof } from '../lib/http.js';
import { bitrateMedia } from '../lib/media.js';
import type { BenchOptions } from '../lib/options.js';
import { lastPhases, type PhaseMedians, phaseMedians } from '../lib/phases.js';
import { childrenOf } from '../lib/procs.js';
import { type SeederClock, startRealSwarm, stratifiedPhase } from '../lib/real-swarm.js';
import { startSeeder } from '../lib/seeder-client.js';
import { type ServerChild, startServer } from '../lib/server.js';
import { median, now } from '../lib/stats.js';

export interface ColdSeries {
  samples: number[];
  median: number;
  phases: PhaseMedians;
  /** Each sample's seeder clocks at the add (real-client series only). */
  seederClocks: SeederClock[];
}

export interface RealTtffResult {
  media: { bytes: number; seconds: number };
  both: ColdSeries;
  /** aria2c + transmission started just before the add. */
  bothFresh: ColdSeries;
  aria2c: ColdSeries;
  transmission: ColdSeries;
  /** The bench's webtorrent seeder (bench/seeder.ts). */
  webtorrent: ColdSeries;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

const load = () => loadavg().map((l) => Number(l.toFixed(2)));

const KINDS: Array<['both' | 'bothFresh' | 'aria2c' | 'transmission', SeederKind[], boolean]> = [
  ['both', ['aria2c', 'transmission'], true],
  ['aria2c', ['aria2c'], true],
  ['transmission', ['transmission'], true],
  ['bothFresh', ['aria2c', 'transmission'], false],
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
  const collected = new Map<
    string,
    { samples: number[]; phases: StartPhases[]; seederClocks: SeederClock[] }
  >();
  const cold = async (label: string, infoHash: string, magnet: string, clock?: SeederClock) => {
    const started = now();
    await api(server.url, 'POST', '/api/torrents', { source: magnet });
    await timeToFirstMoof(`${server.url}/stream/${infoHash}/0?mode=remux`);
    const ms = now() - started;
    const phases = await lastPhases(server.url, infoHash, { probed: true });
    const seen = clock ? `, seeders up ${clock.agesMs.map((a) => (a / 1000).toFixed(1)).join(' / ')} s` : '';
    log(`  cold remux, ${label} seeders${seen}: ${ms.toFixed(0)} ms, phases ${JSON.stringify(phases)}`);
    const into = collected.get(label) ?? { samples: [], phases: [], seederClocks: [] };
    into.samples.push(ms);
    into.phases.push(phases);
    if (clock) into.seederClocks.push(clock);
    collected.set(label, into);
    await api(server.url, 'DELETE', `/api/torrents/${infoHash}?deleteFiles=true`);
    await idle(server);
  };
  try {
    const copies = seeder.of(media.mkv.path);
    for (let i = 0; i < n; i++) {
      for (const [label, kinds, steady] of KINDS) {
        const phase = steady ? stratifiedPhase(i, n) : undefined;
        const swarm = await startRealSwarm(media.mkv.path, kinds, { phase });
        try {
          await cold(label, swarm.infoHash, swarm.magnet, swarm.clock);
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
    const { samples, phases, seederClocks } = collected.get(label) ?? {
      samples: [],
      phases: [],
      seederClocks: [],
    };
    return { samples, median: median(samples), phases: phaseMedians(phases), seederClocks };
  };
  return {
    media: { bytes: media.mkv.size, seconds: media.mkv.duration },
    both: series('both'),
    bothFresh: series('bothFresh'),
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
