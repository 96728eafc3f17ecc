/**
 * Download throughput: one file from one loopback seeder (its own process), downloaded whole by the server
 * under test and by aria2c, alternately, from the same .torrent and the same seeder.
 */

import { api, waitTorrent } from '../lib/http.js';
import { mkvOfSize } from '../lib/media.js';
import type { BenchOptions } from '../lib/options.js';
import { startSeeder } from '../lib/seeder-client.js';
import { startServer } from '../lib/server.js';
import { median, now } from '../lib/stats.js';
import { aria2Download } from '../refs/aria2.js';

export interface ThroughputResult {
  fileBytes: number;
  pieceLength: number;
  oursMs: number[];
  aria2Ms: number[];
  oursBytesPerS: number;
  aria2BytesPerS: number;
  ratio: number;
}

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
    const oursMs: number[] = [];
    const aria2Ms: number[] = [];
    let pieceLength = 0;
    for (let run = 0; run < options.throughputRuns; run++) {
      const started = now();
      await api(server.url, 'POST', '/api/torrents', new Uint8Array(torrent));
      await waitTorrent(server.url, seeded.infoHash, (t) => t.progress >= 1, 600_000);
      oursMs.push(now() - started);
      await api(server.url, 'DELETE', `/api/torrents/${seeded.infoHash}?deleteFiles=true`);
      aria2Ms.push(await aria2Download(torrent, seeded.length, seeded.name));
      log(
        `  download run ${run + 1}: streamtide ${oursMs.at(-1)!.toFixed(0)} ms, aria2c ${aria2Ms.at(-1)!.toFixed(0)} ms`,
      );
    }
    pieceLength = Number(/12:piece lengthi(\d+)e/.exec(torrent.toString('latin1'))?.[1] ?? 0);
    const oursBytesPerS = seeded.length / (median(oursMs) / 1000);
    const aria2BytesPerS = seeded.length / (median(aria2Ms) / 1000);
    return {
      fileBytes: seeded.length,
      pieceLength,
      oursMs,
      aria2Ms,
      oursBytesPerS,
      aria2BytesPerS,
      ratio: oursBytesPerS / aria2BytesPerS,
    };
  } finally {
    await server.close();
    await seeder.close();
  }
}
