/**
 * A seek far into a torrent nobody has downloaded yet, on a constrained swarm: the bench's seeder capped to
 * `throttleBytesPerS`, each block answered `throttleLatencyMs` late (a far peer). streamtide's remux seek (`t=` 80 % of the movie, to the first `moof`) against a
 * direct Range seek (`bytes=` 80 % of the file, to the first byte) on the same swarm: the ratio is the cost
 * of the index FFmpeg needs (Matroska Cues, at the end) and of the keyframe before t on top of the bytes at
 * t. Each sample is a fresh torrent, probed first as the player page does, then deleted with its data;
 * remux and direct samples alternate. The load average is recorded around the section: on a shared
 * machine it explains outliers.
 */
import { loadavg } from 'node:os';
import { api, type TorrentJson, timeToFirstByte, timeToFirstMoof } from '../lib/http.js';
import { mkvOfMinutes } from '../lib/media.js';
import type { BenchOptions } from '../lib/options.js';
import { childrenOf } from '../lib/procs.js';
import { startSeeder } from '../lib/seeder-client.js';
import { type ServerChild, startServer } from '../lib/server.js';
import { median, now } from '../lib/stats.js';
import type { SeededTorrent } from '../seeder.js';

export interface ThrottledSeekResult {
  movie: { bytes: number; seconds: number };
  throttleBytesPerS: number;
  latencyMs: number;
  /** Where the seek goes, as a fraction of the movie. */
  at: number;
  remux: { samples: number[]; median: number; progressAtSeek: number[] };
  direct: { samples: number[]; median: number; progressAtSeek: number[] };
  ratio: number;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

const AT = 0.8;

async function idle(server: ServerChild): Promise<void> {
  const until = now() + 5000;
  while (childrenOf(server.pid, 'ffmpeg').length > 0 && now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const load = () => loadavg().map((l) => Number(l.toFixed(2)));

export async function benchThrottledSeek(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<ThrottledSeekResult> {
  const movie = await mkvOfMinutes(options.cacheDir, options.movieMinutes);
  const n = options.samples;
  const loadAverageBefore = load();
  const seeder = await startSeeder({
    files: [{ path: movie.path, copies: 2 * n }],
    uploadLimit: options.throttleBytesPerS,
    latencyMs: options.throttleLatencyMs,
  });
  const server = await startServer();
  const url = server.url;
  const remux = { samples: [] as number[], progressAtSeek: [] as number[] };
  const direct = { samples: [] as number[], progressAtSeek: [] as number[] };
  // Fresh, probed: the head is there (as after the player's probe), the index and the target are not.
  const prepare = async (torrent: SeededTorrent, into: { progressAtSeek: number[] }) => {
    await api(url, 'POST', '/api/torrents', { source: torrent.magnet });
    await api(url, 'GET', `/api/torrents/${torrent.infoHash}/files/0/probe`);
    const state = await api<TorrentJson>(url, 'GET', `/api/torrents/${torrent.infoHash}`);
    into.progressAtSeek.push(state.progress);
  };
  const done = async (torrent: SeededTorrent) => {
    await api(url, 'DELETE', `/api/torrents/${torrent.infoHash}?deleteFiles=true`);
    await idle(server);
  };
  try {
    const torrents = seeder.of(movie.path);
    const t = (movie.duration * AT).toFixed(1);
    const byte = Math.floor(movie.size * AT);
    for (let i = 0; i < n; i++) {
      const pair = [torrents[2 * i]!, torrents[2 * i + 1]!];
      // Alternate which goes first, so neither always meets a seeder just freed by the other.
      const order = i % 2 === 0 ? (['remux', 'direct'] as const) : (['direct', 'remux'] as const);
      for (const [j, kind] of order.entries()) {
        const torrent = pair[j]!;
        const stream = `${url}/stream/${torrent.infoHash}/0`;
        if (kind === 'remux') {
          await prepare(torrent, remux);
          remux.samples.push((await timeToFirstMoof(`${stream}?mode=remux&t=${t}`)).moofMs);
        } else {
          await prepare(torrent, direct);
          const first = await timeToFirstByte(`${stream}?mode=direct`, { Range: `bytes=${byte}-` });
          if (first.status !== 206) throw new Error(`the direct Range seek answered ${first.status}`);
          direct.samples.push(first.ms);
        }
        log(
          `  ${kind} seek to ${AT * 100} %, throttled: ${(kind === 'remux' ? remux : direct).samples.at(-1)!.toFixed(0)} ms`,
        );
        await done(torrent);
      }
    }
  } finally {
    await server.close();
    await seeder.close();
  }
  const remuxMedian = median(remux.samples);
  const directMedian = median(direct.samples);
  return {
    movie: { bytes: movie.size, seconds: movie.duration },
    throttleBytesPerS: options.throttleBytesPerS,
    latencyMs: options.throttleLatencyMs,
    at: AT,
    remux: { ...remux, median: remuxMedian },
    direct: { ...direct, median: directMedian },
    ratio: remuxMedian / directMedian,
    loadAverageBefore,
    loadAverageAfter: load(),
  };
}
