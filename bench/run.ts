/**
 * `npm run bench [-- --quick] [-- --only=pump,ttff,seek,throttled-seek,real-ttff,swarm,hls,throughput,cap,memory,concurrency]
 * [-- --throughput-load=N]` (busy loops added for the throughput's second series; default 2 per CPU, 0: none):
 * the figures of BENCHMARKS.md on loopback, each the median of several runs, with its reference measured in
 * the same run.
 * Prints a markdown table and writes everything (every sample, the machine) to bench/results/<time>.json.
 * Generated media is cached in $STREAMTIDE_BENCH_CACHE (default: the temp folder).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statfsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hasAria2c, hasTransmission } from '../test/helpers/real-seeders.js';
import { describeMachine } from './lib/machine.js';
import { parseOptions } from './lib/options.js';
import { type Results, table } from './lib/report.js';
import { benchCap } from './sections/cap.js';
import { benchConcurrency } from './sections/concurrency.js';
import { benchFirstFragment } from './sections/first-fragment.js';
import { benchHls } from './sections/hls.js';
import { benchMemory } from './sections/memory.js';
import { benchPump } from './sections/pump.js';
import { benchRealTtff } from './sections/real-ttff.js';
import { benchSwarm } from './sections/swarm.js';
import { benchThrottledSeek } from './sections/throttled-seek.js';
import { benchThroughput } from './sections/throughput.js';

const options = parseOptions(process.argv.slice(2));
const wants = (name: string) => !options.only || options.only.has(name);
const log = (line: string) => process.stderr.write(`${line}\n`);
const started = Date.now();

mkdirSync(options.cacheDir, { recursive: true });
const disk = statfsSync(options.cacheDir);
const freeBytes = disk.bavail * disk.bsize;
// The cached media (up to ~1 GB + 4 GB) plus one download at a time must fit with room to spare.
if (freeBytes < options.memoryBytes + options.pumpBytes + 8 * 2 ** 30) {
  throw new Error(`only ${(freeBytes / 2 ** 30).toFixed(1)} GiB free under ${options.cacheDir}: not enough`);
}

// The throughput reference is a real client; say so now rather than after the other sections ran.
if (wants('throughput') && spawnSync('aria2c', ['--version']).status !== 0) {
  throw new Error(
    'aria2c is not installed (apt-get install aria2, see BENCHMARKS.md), or leave throughput out with --only=',
  );
}

// The real-client sections seed from aria2c and transmission-daemon.
if ((wants('real-ttff') || wants('swarm')) && !(hasAria2c() && hasTransmission())) {
  throw new Error(
    'aria2c and transmission-daemon are needed (apt-get install aria2 transmission-daemon, see BENCHMARKS.md), or leave real-ttff and swarm out with --only=',
  );
}

const machineBefore = await describeMachine();
log(`streamtide bench (${options.quick ? 'quick' : 'full'}) on ${machineBefore.nproc}× ${machineBefore.cpu}`);
const results: Results = {};
const timings: Record<string, number> = {};
async function section<T>(name: string, title: string, run: () => Promise<T>): Promise<T> {
  log(`${title}…`);
  const t = Date.now();
  const result = await run();
  timings[name] = Date.now() - t;
  return result;
}
if (wants('pump')) results.pump = await section('pump', 'pump overhead', () => benchPump(options, log));
if (wants('ttff') || wants('seek')) {
  results.firstFragment = await section('ttff', 'first fragment and seek', () =>
    benchFirstFragment(options, log),
  );
}
if (wants('throttled-seek')) {
  results.throttledSeek = await section('throttled-seek', 'seek on a throttled swarm', () =>
    benchThrottledSeek(options, log),
  );
}
if (wants('real-ttff')) {
  results.realTtff = await section('real-ttff', 'first fragment from real-client seeders', () =>
    benchRealTtff(options, log),
  );
}
if (wants('swarm')) {
  results.swarm = await section('swarm', 'constrained swarm of real clients', () => benchSwarm(options, log));
}
if (wants('hls')) results.hls = await section('hls', 'HLS', () => benchHls(options, log));
if (wants('throughput')) {
  results.throughput = await section('throughput', 'download throughput', () =>
    benchThroughput(options, log),
  );
}
if (wants('cap')) results.cap = await section('cap', 'download cap', () => benchCap(options, log));
if (wants('memory')) results.memory = await section('memory', 'memory', () => benchMemory(options, log));
if (wants('concurrency')) {
  results.concurrency = await section('concurrency', 'concurrency', () => benchConcurrency(options, log));
}

const machine = { ...(await describeMachine()), loadAverageBefore: machineBefore.loadAverage };
const markdown = table(results);
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const file = `${dir}${new Date(started).toISOString().replace(/[:.]/g, '-')}${options.quick ? '-quick' : ''}.json`;
writeFileSync(
  file,
  `${JSON.stringify({ started: new Date(started).toISOString(), seconds: (Date.now() - started) / 1000, quick: options.quick, machine, timings, options: { ...options, only: options.only && [...options.only] }, results, markdown }, null, 2)}\n`,
);
process.stdout.write(`\n${markdown}\n\n`);
process.stdout.write(
  `${machine.nproc}× ${machine.cpu}, ${machine.memoryGiB} GiB; Node ${machine.node}; ${machine.ffmpeg}; load average ${machine.loadAverageBefore.join(' ')} → ${machine.loadAverage.join(' ')}\n`,
);
process.stdout.write(`${((Date.now() - started) / 1000).toFixed(0)} s; JSON: ${file}\n`);
