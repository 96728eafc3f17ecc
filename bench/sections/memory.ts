/**
 * Memory of the server process (read from /proc/PID/status): the idle `serve` (no torrents, no requests,
 * IDLE_MS after it listens: its steady state, once V8's memory reducer — which runs some seconds after the
 * last full collection, here 8–30 s after listening — has collected what loading left behind; a second after
 * listening is reported too) against an idle bare Node; peak RSS while one viewer remuxes a big file start to end as fast as it
 * can read; then RSS after many streams started and cut right after their first bytes, against the RSS before
 * them. FFmpeg's own RSS is reported apart (it is a separate process).
 */

import { readFor, startAndAbort } from '../lib/http.js';
import { mkvOfSize } from '../lib/media.js';
import type { BenchOptions } from '../lib/options.js';
import { childrenOf, memoryOf, start } from '../lib/procs.js';
import { startServer } from '../lib/server.js';
import { median, now } from '../lib/stats.js';

/** How long after listening the idle server's RSS is read. */
const IDLE_MS = 45_000;

export interface MemoryResult {
  /** `serve` with no torrents, IDLE_MS after it listens (median of `runs`). */
  idleServeRss: number;
  idleMs: number;
  /** The same servers a second after they listen. */
  idleServeRssAt1s: number;
  /** A bare `node` doing nothing: what any Node process holds. */
  bareNodeRss: number;
  fileBytes: number;
  /** Big-file runs, each on a fresh server; the figures below are their medians. */
  runs: number;
  peakServerRssRuns: number[];
  streamMs: number;
  bytesOut: number;
  rssBeforeStream: number;
  peakServerRss: number;
  peakFfmpegRss: number;
  cycles: number;
  rssBeforeCycles: number;
  rssAfterCycles: number;
  cycleGrowth: number;
  non200: number;
}

export async function benchMemory(options: BenchOptions, log: (line: string) => void): Promise<MemoryResult> {
  const media = await mkvOfSize(options.cacheDir, options.memoryBytes);
  const idle: Array<{ at1s: number; settled: number }> = [];
  const bare: number[] = [];
  for (let run = 0; run < options.memoryRuns; run++) {
    idle.push(await idleServeRss());
    bare.push(await bareNodeRss());
  }
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  log(
    `  idle serve RSS ${idle.map((i) => `${mib(i.at1s)} → ${mib(i.settled)}`).join(', ')} MiB (1 s → ${IDLE_MS / 1000} s after listening; bare node ${mib(median(bare))})`,
  );
  // The peak is one sample per server process (VmHWM never goes down): a fresh server per run.
  const peaks: Array<{ server: number; ffmpeg: number; idle: number; ms: number }> = [];
  for (let run = 1; run < options.memoryRuns; run++) peaks.push(await peakOfOneStream(media.path, log));
  const server = await startServer(media.path);
  const url = `${server.streamUrl!.split('?')[0]}?mode=remux`;
  const rssNow = () => memoryOf(server.pid)?.rss ?? Number.NaN;
  try {
    const rssBeforeStream = rssNow();
    let peakServerRss = rssBeforeStream;
    let peakFfmpegRss = 0;
    const sampler = setInterval(() => {
      peakServerRss = Math.max(peakServerRss, rssNow());
      const ffmpeg = childrenOf(server.pid, 'ffmpeg').reduce(
        (sum, pid) => sum + (memoryOf(pid)?.rss ?? 0),
        0,
      );
      peakFfmpegRss = Math.max(peakFfmpegRss, ffmpeg);
    }, 50);
    const started = now();
    const read = await readFor(url, 30 * 60_000);
    const streamMs = now() - started;
    clearInterval(sampler);
    // VmHWM catches a peak between two samples.
    peakServerRss = Math.max(peakServerRss, memoryOf(server.pid)?.hwm ?? 0);
    log(
      `  ${media.size} bytes remuxed in ${streamMs.toFixed(0)} ms, server peak RSS ${(peakServerRss / 2 ** 20).toFixed(1)} MiB`,
    );
    if (!read.ended) throw new Error('the big remux did not reach its end');

    let non200 = 0;
    for (let i = 0; i < 5; i++) await startAndAbort(url); // warm-up: JIT, pools, first-use allocations
    await settle(server.pid);
    const rssBeforeCycles = rssNow();
    for (let i = 0; i < options.abortCycles; i++) {
      if ((await startAndAbort(url)) !== 200) non200++;
    }
    await settle(server.pid);
    const rssAfterCycles = rssNow();
    log(
      `  ${options.abortCycles} start/abort cycles: RSS ${(rssBeforeCycles / 2 ** 20).toFixed(1)} → ${(rssAfterCycles / 2 ** 20).toFixed(1)} MiB`,
    );
    peaks.push({ server: peakServerRss, ffmpeg: peakFfmpegRss, idle: rssBeforeStream, ms: streamMs });
    return {
      idleServeRss: median(idle.map((i) => i.settled)),
      idleMs: IDLE_MS,
      idleServeRssAt1s: median(idle.map((i) => i.at1s)),
      bareNodeRss: median(bare),
      fileBytes: media.size,
      runs: peaks.length,
      peakServerRssRuns: peaks.map((p) => p.server),
      streamMs: median(peaks.map((p) => p.ms)),
      bytesOut: read.bytes,
      rssBeforeStream: median(peaks.map((p) => p.idle)),
      peakServerRss: median(peaks.map((p) => p.server)),
      peakFfmpegRss: median(peaks.map((p) => p.ffmpeg)),
      cycles: options.abortCycles,
      rssBeforeCycles,
      rssAfterCycles,
      cycleGrowth: rssAfterCycles - rssBeforeCycles,
      non200,
    };
  } finally {
    await server.close();
  }
}

/** RSS of `streamtide serve` (no torrents, no requests) a second and IDLE_MS after it listens. */
async function idleServeRss(): Promise<{ at1s: number; settled: number }> {
  const server = await startServer();
  const rss = () => memoryOf(server.pid)?.rss ?? Number.NaN;
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const at1s = rss();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS - 1000));
    return { at1s, settled: rss() };
  } finally {
    await server.close();
  }
}

/** RSS of a bare `node` that has started and waits. */
async function bareNodeRss(): Promise<number> {
  const child = start(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return memoryOf(child.pid)?.rss ?? Number.NaN;
  } finally {
    await child.stop();
  }
}

/** Waits until the server's FFmpeg children are gone and then a little more for it to go idle. */
async function settle(pid: number): Promise<void> {
  const until = now() + 10_000;
  while (childrenOf(pid, 'ffmpeg').length > 0 && now() < until) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1000));
}

/** One server, one full remux of `path`: the server's peak RSS (VmHWM) and FFmpeg's. */
async function peakOfOneStream(
  path: string,
  log: (line: string) => void,
): Promise<{ server: number; ffmpeg: number; idle: number; ms: number }> {
  const server = await startServer(path);
  try {
    const idle = memoryOf(server.pid)?.rss ?? Number.NaN;
    let ffmpeg = 0;
    const sampler = setInterval(() => {
      const rss = childrenOf(server.pid, 'ffmpeg').reduce((sum, pid) => sum + (memoryOf(pid)?.rss ?? 0), 0);
      ffmpeg = Math.max(ffmpeg, rss);
    }, 50);
    const started = now();
    const read = await readFor(`${server.streamUrl!.split('?')[0]}?mode=remux`, 30 * 60_000);
    const ms = now() - started;
    clearInterval(sampler);
    if (!read.ended) throw new Error('the big remux did not reach its end');
    const peak = memoryOf(server.pid)?.hwm ?? Number.NaN;
    log(`  remux in ${ms.toFixed(0)} ms, server peak RSS ${(peak / 2 ** 20).toFixed(1)} MiB`);
    return { server: peak, ffmpeg, idle, ms };
  } finally {
    await server.close();
  }
}
