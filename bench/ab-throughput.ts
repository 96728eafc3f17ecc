/**
 * A/B of download throughput: builds of the server (each a copy of `dist/`) and, optionally, aria2c download
 * one file from one loopback seeder, in rounds whose order alternates, so the machine's load falls on all of
 * them alike. Per client: median time, MiB/s, CPU seconds per GiB (user + system, all threads, from /proc),
 * the seeder's CPU per GiB meanwhile, and the highest RSS sampled while downloading.
 *
 *   mkdir -p .ab/base && git stash && npm run build && cp -a dist package.json .ab/base/ && git stash pop
 *   npm run build && node --import tsx bench/ab-throughput.ts --rounds=3 --bytes=1073741824 --aria2 \
 *     base=.ab/base/dist/cli/main.js new=dist/cli/main.js 'young16=dist/cli/main.js|--min-semi-space-size=16'
 *
 * A client is `label=path-to-main.js`, optionally `|node flags|ENV=value ...` (space separated). A copy of
 * dist must sit inside the checkout with package.json one level above it (e.g. `.ab/base/`), to find
 * node_modules and its version. For the first download of the client named: `AB_STRACE=label` prints
 * `strace -c -f`'s system call counts, `AB_PERF=label` records `perf record -g` into `AB_PERF_OUT`.
 * `AB_THREADS=1` splits each download's CPU into the main thread's and the others'; `AB_LOG_DIR=dir` keeps
 * each server's stdout (with `--trace-gc`, its collections); `AB_SIGNAL=label` sends that server SIGUSR2
 * after each download (for a profiler loaded with `--import` to write its profile). `--busy=N` adds N busy
 * loops (bench/lib/busy-load.ts) for the whole run, started 30 s before the first download.
 */
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startBusyLoad } from './lib/busy-load.js';
import { api, waitTorrent } from './lib/http.js';
import { mkvOfSize } from './lib/media.js';
import { type Child, cpuSecondsOf, cpuTimesOf, memoryOf, start, waitForLine } from './lib/procs.js';
import { startSeeder } from './lib/seeder-client.js';
import { serverFlags } from './lib/server.js';
import { median, now } from './lib/stats.js';
import { aria2Download } from './refs/aria2.js';

interface Client {
  label: string;
  main?: string;
  nodeFlags: string[];
  env?: Record<string, string>;
  ms: number[];
  cpuPerGiB: number[];
  /** The kernel's part of cpuPerGiB (system time: socket reads, page-cache writes, page faults). */
  sysPerGiB: number[];
  peakRss: number[];
  seederCpuPerGiB?: number[];
}

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const rounds = Number(arg('rounds', '3'));
const bytes = Number(arg('bytes', String(1024 ** 3)));
const cacheDir = process.env.STREAMTIDE_BENCH_CACHE || join(tmpdir(), 'streamtide-bench-cache');
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const clients: Client[] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .map((spec) => {
    const label = spec.slice(0, spec.indexOf('='));
    const [main, flags, env] = spec.slice(label.length + 1).split('|') as [string, string?, string?];
    const nodeFlags = (flags ?? '').split(' ').filter(Boolean);
    const vars = Object.fromEntries(
      (env ?? '')
        .split(' ')
        .filter(Boolean)
        .map((v) => v.split('=') as [string, string]),
    );
    return {
      label,
      main: resolve(main),
      nodeFlags,
      env: vars,
      ms: [],
      cpuPerGiB: [],
      sysPerGiB: [],
      peakRss: [],
    };
  });
if (process.argv.includes('--aria2'))
  clients.push({ label: 'aria2c', nodeFlags: [], ms: [], cpuPerGiB: [], sysPerGiB: [], peakRss: [] });

/** CPU seconds per thread name (threads of one name summed), from /proc/PID/task. */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : 'others';
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {}
  }
  return out;
}

interface Server {
  child: Child;
  url: string;
  dir: string;
}

async function startServer(client: Client): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), `streamtide-ab-${client.label}-`));
  const child = start(process.execPath, [...client.nodeFlags, client.main!, 'serve', ...serverFlags(dir)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...client.env },
  });
  if (process.env.AB_LOG_DIR)
    child.proc.stdout?.pipe(createWriteStream(join(process.env.AB_LOG_DIR, `${client.label}.log`)));
  const url = (await waitForLine(child, /"url":"(http:\/\/[^"]+)"/))[1]!;
  return { child, url, dir };
}

const media = await mkvOfSize(cacheDir, bytes);
const seeder = await startSeeder({ files: [{ path: media.path, copies: 1 }], tracker: true });
const seeded = seeder.of(media.path)[0]!;
const torrent = Buffer.from(seeded.torrent, 'base64');
const servers = new Map<string, Server>();
const busy = Number(arg('busy', '0')) > 0 ? startBusyLoad(Number(arg('busy', '0'))) : undefined;
try {
  if (busy) await new Promise((resolve) => setTimeout(resolve, 30_000));
  for (const client of clients) if (client.main) servers.set(client.label, await startServer(client));
  console.log(
    `seeder ${seeder.child.pid}; servers ${[...servers].map(([l, s]) => `${l}:${s.child.pid}`).join(' ')}`,
  );
  console.log(`${(seeded.length / MiB).toFixed(1)} MiB, load ${load()}`);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? clients : [...clients].reverse();
    for (const client of order) {
      const server = servers.get(client.label);
      const seederBefore = cpuSecondsOf(seeder.child.pid);
      if (!server) {
        const run = await aria2Download(torrent, seeded.length, seeded.name);
        client.ms.push(run.ms);
        client.cpuPerGiB.push((run.cpuSeconds * GiB) / seeded.length);
        client.sysPerGiB.push((run.systemSeconds * GiB) / seeded.length);
        client.peakRss.push(Number.NaN);
      } else {
        const pid = server.child.pid;
        const strace =
          process.env.AB_STRACE === client.label && round === 0
            ? start('strace', ['-c', '-f', '-p', String(pid)], { stdio: ['ignore', 'inherit', 'inherit'] })
            : process.env.AB_PERF === client.label && round === 0
              ? start(
                  'perf',
                  [
                    'record',
                    '-F',
                    '499',
                    '-g',
                    '-p',
                    String(pid),
                    '-o',
                    process.env.AB_PERF_OUT ?? 'perf.data',
                  ],
                  {
                    stdio: ['ignore', 'inherit', 'inherit'],
                  },
                )
              : undefined;
        if (strace) await new Promise((r) => setTimeout(r, 500));
        let peak = 0;
        const sampler = setInterval(() => {
          peak = Math.max(peak, memoryOf(pid)?.rss ?? 0);
        }, 100);
        const threadsBefore = threadCpu(pid);
        const cpuBefore = cpuTimesOf(pid);
        const started = now();
        await api(server.url, 'POST', '/api/torrents', new Uint8Array(torrent));
        await waitTorrent(server.url, seeded.infoHash, (t) => t.progress >= 1, 900_000);
        client.ms.push(now() - started);
        const cpuAfter = cpuTimesOf(pid);
        const system = cpuAfter.system - cpuBefore.system;
        client.cpuPerGiB.push(((cpuAfter.user - cpuBefore.user + system) * GiB) / seeded.length);
        client.sysPerGiB.push((system * GiB) / seeded.length);
        clearInterval(sampler);
        if (process.env.AB_SIGNAL === client.label) process.kill(pid, 'SIGUSR2');
        if (process.env.AB_THREADS) {
          const after = threadCpu(pid);
          const spent = [...after].map(([name, t]) => [name, t - (threadsBefore.get(name) ?? 0)] as const);
          console.log(
            `  threads (s): ${spent
              .filter(([, t]) => t > 0.01)
              .map(([n, t]) => `${n} ${t.toFixed(2)}`)
              .join(', ')}`,
          );
        }
        client.peakRss.push(peak);
        if (strace) {
          strace.proc.kill('SIGINT');
          await strace.exited;
        }
        await api(server.url, 'DELETE', `/api/torrents/${seeded.infoHash}?deleteFiles=true`);
      }
      const i = client.ms.length - 1;
      client.seederCpuPerGiB ??= [];
      client.seederCpuPerGiB.push(((cpuSecondsOf(seeder.child.pid) - seederBefore) * GiB) / seeded.length);
      console.log(
        `round ${round + 1} ${client.label}: ${(seeded.length / MiB / (client.ms[i]! / 1000)).toFixed(1)} MiB/s, ` +
          `${client.cpuPerGiB[i]!.toFixed(2)} s CPU/GiB (system ${client.sysPerGiB[i]!.toFixed(2)}; seeder ${client.seederCpuPerGiB[i]!.toFixed(2)}), peak RSS ${(client.peakRss[i]! / MiB).toFixed(0)} MiB (load ${load()})`,
      );
    }
  }
} finally {
  await busy?.stop();
  for (const server of servers.values()) {
    await server.child.stop(5000);
    rmSync(server.dir, { recursive: true, force: true });
  }
  await seeder.close();
}
const reference = clients.find((c) => c.label === 'aria2c');
for (const client of clients) {
  const speed = seeded.length / MiB / (median(client.ms) / 1000);
  const ratio = reference ? ` ${(median(reference.ms) / median(client.ms)).toFixed(2)}× aria2c` : '';
  console.log(
    `${client.label}: ${speed.toFixed(1)} MiB/s, ${median(client.cpuPerGiB).toFixed(2)} s CPU/GiB ` +
      `(system ${median(client.sysPerGiB).toFixed(2)}; seeder ${median(client.seederCpuPerGiB ?? []).toFixed(2)}), ` +
      `peak RSS ${(median(client.peakRss) / MiB).toFixed(0)} MiB${ratio}`,
  );
}
console.log(`load ${load()}`);
