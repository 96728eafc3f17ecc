/** What one bench run does: sizes and repetitions for the full run (~15 min on 2 cores) or `--quick` (~2 min). */
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchOptions {
  quick: boolean;
  /** Sections to run (default all). */
  only: Set<string> | null;
  /** Generated media stays here between runs (regenerated only when missing). */
  cacheDir: string;
  /** Pump overhead: size of the generated MKV and remux runs per side. */
  pumpBytes: number;
  pumpRuns: number;
  /** Minutes of the "movie" used for first-fragment, seek and concurrency figures. */
  movieMinutes: number;
  /** Samples per first-fragment / seek figure (cold ones each need a fresh torrent). */
  samples: number;
  throughputBytes: number;
  throughputRuns: number;
  /** Busy loops added for the throughput's second series (`--throughput-load=N`; 0: none). */
  throughputLoadProcs: number;
  memoryBytes: number;
  /** Big-file remuxes for the peak RSS, each on a fresh server process. */
  memoryRuns: number;
  abortCycles: number;
  /** Seconds each concurrency step reads its streams. */
  concurrencyWindowS: number;
  concurrencySteps: number[];
  /** The constrained swarm of the throttled seek: the seeder's upload cap (bytes/s), its latency. */
  throttleBytesPerS: number;
  throttleLatencyMs: number;
  /** The server's --download-limit in the cap section (bytes/s). */
  capBytesPerS: number;
  /** Constrained swarm: minutes of its 1.2 Mbit/s media, the play window, samples per client and scenario. */
  swarmMinutes: number;
  swarmWindowS: number;
  swarmPlaySamples: number;
  swarmSeekSamples: number;
  /** Cold starts per kind of real-client seeder (aria2c + transmission, each alone, the bench's own). */
  realSamples: number;
}

export const SECTIONS = [
  'pump',
  'ttff',
  'seek',
  'throttled-seek',
  'hls',
  'throughput',
  'cap',
  'memory',
  'concurrency',
  'real-ttff',
  'swarm',
] as const;

export function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const loadArg = argv.find((a) => a.startsWith('--throughput-load='));
  const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;
  for (const name of only ?? []) {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`unknown section ${name}`);
  }
  const loadProcs = loadArg ? Number(loadArg.slice('--throughput-load='.length)) : 2 * availableParallelism();
  if (!Number.isSafeInteger(loadProcs) || loadProcs < 0)
    throw new Error(`bad ${loadArg}: a number of processes`);
  const GiB = 1024 ** 3;
  const MiB = 1024 ** 2;
  return {
    quick,
    only,
    cacheDir: process.env.STREAMTIDE_BENCH_CACHE || join(tmpdir(), 'streamtide-bench-cache'),
    pumpBytes: quick ? 256 * MiB : 1 * GiB,
    pumpRuns: quick ? 3 : 7,
    movieMinutes: quick ? 4 : 10,
    samples: quick ? 3 : 7,
    throughputBytes: quick ? 256 * MiB : 1 * GiB,
    throughputRuns: quick ? 1 : 3,
    throughputLoadProcs: loadProcs,
    memoryBytes: quick ? 512 * MiB : 4 * GiB,
    memoryRuns: quick ? 1 : 3,
    abortCycles: quick ? 50 : 200,
    concurrencyWindowS: quick ? 4 : 8,
    concurrencySteps: quick ? [1, 8, 16] : [1, 4, 8, 12, 16],
    // About 1.7× the movie's bitrate: a swarm that just keeps up with playback.
    throttleBytesPerS: 1024 * 1024,
    // A far peer: each block answered after a round trip.
    throttleLatencyMs: 300,
    capBytesPerS: 4_000_000,
    swarmMinutes: 5,
    swarmWindowS: quick ? 20 : 60,
    swarmPlaySamples: quick ? 1 : 2,
    swarmSeekSamples: quick ? 1 : 3,
    realSamples: quick ? 3 : 7,
  };
}
