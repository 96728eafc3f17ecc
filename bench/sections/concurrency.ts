/**
 * Concurrency: N viewers of remux streams of one downloaded torrent at once, each reading as fast as it can
 * for a fixed window. A stream is "faster than real time" when it delivered more seconds of media than the
 * window lasted (output bytes ÷ the file's bytes per second of media; remux output ≈ input size).
 */

import { api, readFor, waitTorrent } from '../lib/http.js';
import { mkvOfMinutes } from '../lib/media.js';
import type { BenchOptions } from '../lib/options.js';
import { childrenOf } from '../lib/procs.js';
import { startSeeder } from '../lib/seeder-client.js';
import { startServer } from '../lib/server.js';
import { now } from '../lib/stats.js';

export interface ConcurrencyStep {
  n: number;
  /** Each stream's speed in multiples of real time. */
  speeds: number[];
  minSpeed: number;
  refused: number;
  ok: boolean;
}

export interface ConcurrencyResult {
  steps: ConcurrencyStep[];
  largestN: number;
  /** Largest N tried (the server answers 503 past its own cap on FFmpeg processes). */
  triedUpTo: number;
}

export async function benchConcurrency(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<ConcurrencyResult> {
  const movie = await mkvOfMinutes(options.cacheDir, options.movieMinutes);
  const seeder = await startSeeder({ files: [{ path: movie.path, copies: 1 }] });
  const server = await startServer();
  try {
    const seeded = seeder.of(movie.path)[0]!;
    await api(server.url, 'POST', '/api/torrents', { source: seeded.magnet });
    await waitTorrent(server.url, seeded.infoHash, (t) => t.progress >= 1);
    const url = `${server.url}/stream/${seeded.infoHash}/0?mode=remux`;
    const windowMs = options.concurrencyWindowS * 1000;
    const steps: ConcurrencyStep[] = [];
    let largestN = 0;
    for (const n of options.concurrencySteps) {
      const startAt = now();
      const reads = await Promise.all(Array.from({ length: n }, () => readFor(url, windowMs, startAt)));
      const speeds = reads.map((r) =>
        r.status === 200 ? r.bytes / movie.bytesPerSecond / (r.ms / 1000) : 0,
      );
      const refused = reads.filter((r) => r.status !== 200).length;
      const minSpeed = Math.min(...speeds);
      const ok = refused === 0 && minSpeed > 1;
      steps.push({ n, speeds, minSpeed, refused, ok });
      log(
        `  ${n} streams: slowest ${minSpeed.toFixed(1)}× real time${refused ? `, ${refused} refused` : ''}`,
      );
      if (!ok) break;
      largestN = n;
      const until = now() + 10_000;
      while (childrenOf(server.pid, 'ffmpeg').length > 0 && now() < until)
        await new Promise((r) => setTimeout(r, 20));
    }
    return { steps, largestN, triedUpTo: steps.at(-1)?.n ?? 0 };
  } finally {
    await server.close();
    await seeder.close();
  }
}
