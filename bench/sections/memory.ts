/**
 * Memory of the server process (read from /proc/PID/status): peak RSS while one viewer remuxes a big file
 * start to end as fast as it can read, then RSS after many streams started and cut right after their first
 * bytes, against the RSS before them. FFmpeg's own RSS is reported apart (it is a separate process).
 */

import { readFor, startAndAbort } from '../lib/http.js';
import { mkvOfSize } from '../lib/media.js';
import type { BenchOptions } from '../lib/options.js';
import { childrenOf, memoryOf } from '../lib/procs.js';
import { startServer } from '../lib/server.js';
import { now } from '../lib/stats.js';

export interface MemoryResult {
  fileBytes: number;
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
    return {
      fileBytes: media.size,
      streamMs,
      bytesOut: read.bytes,
      rssBeforeStream,
      peakServerRss,
      peakFfmpegRss,
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

/** Waits until the server's FFmpeg children are gone and then a little more for it to go idle. */
async function settle(pid: number): Promise<void> {
  const until = now() + 10_000;
  while (childrenOf(pid, 'ffmpeg').length > 0 && now() < until) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1000));
}
