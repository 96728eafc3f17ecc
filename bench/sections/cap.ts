/**
 * The download cap: one file from a loopback seeder under `--download-limit`, its rate measured from 25 %
 * of the file to the end (past the bucket's first second, which lets a second's worth through at once).
 */
import { api, waitTorrent } from '../lib/http.js';
import { mkvOfSize } from '../lib/media.js';
import type { BenchOptions } from '../lib/options.js';
import { startSeeder } from '../lib/seeder-client.js';
import { startServer } from '../lib/server.js';
import { median, now } from '../lib/stats.js';

export interface CapResult {
  capBytesPerS: number;
  fileBytes: number;
  ratesBytesPerS: number[];
  /** The median measured rate over the cap: at most a little over 1. */
  ratio: number;
}

export async function benchCap(options: BenchOptions, log: (line: string) => void): Promise<CapResult> {
  const media = await mkvOfSize(options.cacheDir, 1); // one clip: seconds at the cap
  const seeder = await startSeeder({ files: [{ path: media.path, copies: 1 }], tracker: true });
  const server = await startServer(undefined, ['--download-limit', String(options.capBytesPerS)]);
  try {
    const seeded = seeder.of(media.path)[0]!;
    const rates: number[] = [];
    for (let run = 0; run < options.throughputRuns; run++) {
      await api(server.url, 'POST', '/api/torrents', new Uint8Array(Buffer.from(seeded.torrent, 'base64')));
      const { progress } = await waitTorrent(server.url, seeded.infoHash, (t) => t.progress >= 0.25);
      const started = now();
      await waitTorrent(server.url, seeded.infoHash, (t) => t.progress >= 1);
      rates.push(((1 - progress) * seeded.length) / ((now() - started) / 1000));
      await api(server.url, 'DELETE', `/api/torrents/${seeded.infoHash}?deleteFiles=true`);
      log(
        `  capped run ${run + 1}: ${(rates.at(-1)! / 1e6).toFixed(2)} MB/s under ${options.capBytesPerS / 1e6} MB/s`,
      );
    }
    const rate = median(rates);
    return {
      capBytesPerS: options.capBytesPerS,
      fileBytes: seeded.length,
      ratesBytesPerS: rates,
      ratio: rate / options.capBytesPerS,
    };
  } finally {
    await server.close();
    await seeder.close();
  }
}
