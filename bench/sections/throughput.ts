/**
 * Download throughput: one file from one loopback seeder (its own process), downloaded whole by the server
 * under test and by aria2c, alternately, from the same .torrent and the same seeder: first at whatever load
 * the machine has, then with `throughputLoadProcs` busy loops added (bench/lib/busy-load.ts). Each series
 * records the load average around it and the CPU time each client used, the figure that decides how a
 * download fares when the CPU is shared.
 */
import { loadavg } from 'node:os';
import { startBusyLoad } from '../lib/busy-load.js';
import { api, waitTorrent } from '../lib/http.js';
import { mkvOfSize } from '../lib/media.js';
import type { BenchOptions } from '../lib/options.js';
import { cpuSecondsOf } from '../lib/procs.js';
import { type RunningSeeder, startSeeder } from '../lib/seeder-client.js';
import { type ServerChild, startServer } from '../lib/server.js';
import { median, now } from '../lib/stats.js';
import { aria2Download } from '../refs/aria2.js';

export interface ThroughputSeries {
  /** Busy loops added for this series (0: the machine as it was). */
  busyProcesses: number;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  oursMs: number[];
  aria2Ms: number[];
  /** CPU seconds (user + system, all threads) per GiB downloaded, median. */
  oursCpuPerGiB: number;
  aria2CpuPerGiB: number;
  oursBytesPerS: number;
  aria2BytesPerS: number;
  ratio: number;
}

export interface ThroughputResult {
  fileBytes: number;
  pieceLength: number;
  /** The machine as it was. */
  asIs: ThroughputSeries;
  underLoad?: ThroughputSeries;
}

const load = () => loadavg().map((l) => Number(l.toFixed(2)));

export async function benchThroughput(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<ThroughputResult> {
  const media = await mkvOfSize(options.cacheDir, options.throughputBytes);
  const seeder = await startSeeder({ files: [{ path: media.path, copies: 1 }], tracker: true });
  const server = await startServer();
  try {
    const seeded = seeder.of(media.path)[0]!;
    const torrent = Buffer.from(seeded.torrent, 'base64');
    const pieceLength = Number(/12:piece lengthi(\d+)e/.exec(torrent.toString('latin1'))?.[1] ?? 0);
    const asIs = await series(seeder, media.path, server, options.throughputRuns, 0, log);
    let underLoad: ThroughputSeries | undefined;
    if (options.throughputLoadProcs > 0) {
      const busy = startBusyLoad(options.throughputLoadProcs);
      try {
        // Long enough for the 1-minute load average to show most of the added load.
        await new Promise((resolve) => setTimeout(resolve, options.quick ? 10_000 : 30_000));
        underLoad = await series(seeder, media.path, server, options.throughputRuns, busy.processes, log);
      } finally {
        await busy.stop();
      }
    }
    return { fileBytes: seeded.length, pieceLength, asIs, underLoad };
  } finally {
    await server.close();
    await seeder.close();
  }
}

async function series(
  seeder: RunningSeeder,
  path: string,
  server: ServerChild,
  runs: number,
  busyProcesses: number,
  log: (line: string) => void,
): Promise<ThroughputSeries> {
  const seeded = seeder.of(path)[0]!;
  const torrent = Buffer.from(seeded.torrent, 'base64');
  const GiB = 1024 ** 3;
  const loadAverageBefore = load();
  const oursMs: number[] = [];
  const aria2Ms: number[] = [];
  const oursCpu: number[] = [];
  const aria2Cpu: number[] = [];
  for (let run = 0; run < runs; run++) {
    const cpuBefore = cpuSecondsOf(server.pid);
    const started = now();
    await api(server.url, 'POST', '/api/torrents', new Uint8Array(torrent));
    await waitTorrent(server.url, seeded.infoHash, (t) => t.progress >= 1, 600_000);
    oursMs.push(now() - started);
    oursCpu.push(((cpuSecondsOf(server.pid) - cpuBefore) * GiB) / seeded.length);
    await api(server.url, 'DELETE', `/api/torrents/${seeded.infoHash}?deleteFiles=true`);
    const aria2 = await aria2Download(torrent, seeded.length, seeded.name);
    aria2Ms.push(aria2.ms);
    aria2Cpu.push((aria2.cpuSeconds * GiB) / seeded.length);
    log(
      `  download run ${run + 1}${busyProcesses ? ` (+${busyProcesses} busy)` : ''}: ` +
        `streamtide ${oursMs.at(-1)!.toFixed(0)} ms, aria2c ${aria2.ms.toFixed(0)} ms (load ${load()[0]})`,
    );
  }
  const oursBytesPerS = seeded.length / (median(oursMs) / 1000);
  const aria2BytesPerS = seeded.length / (median(aria2Ms) / 1000);
  return {
    busyProcesses,
    loadAverageBefore,
    loadAverageAfter: load(),
    oursMs,
    aria2Ms,
    oursCpuPerGiB: median(oursCpu),
    aria2CpuPerGiB: median(aria2Cpu),
    oursBytesPerS,
    aria2BytesPerS,
    ratio: oursBytesPerS / aria2BytesPerS,
  };
}
