/**
 * HLS on one loopback swarm, each figure beside the progressive stream measured in the same run:
 * - cold: a fresh magnet → master playlist, media playlist, init and first segment of video and audio —
 *   what a player fetches before its first frame — against the progressive stream's first fragment; the
 *   movie has a keyframe every 2 s, so its video is copied. Again with x264's usual 10 s between
 *   keyframes, which HLS (segments ≤ 6 s, each starting on a keyframe) must encode;
 * - far seek: a fresh torrent whose playlist is in (probe and keyframe index read, the file mostly not
 *   downloaded) → the segment at 75 %, against the progressive stream's seek there;
 * - warm: segments far from each other on a downloaded torrent (no cache, no encoder near);
 * - encoders for N viewers fetching the same segments at once (the goal: one per rendition).
 */
import { api, readAll, type TorrentJson, timeToFirstMoof, waitTorrent } from '../lib/http.js';
import { mkvOfMinutes } from '../lib/media.js';
import type { BenchOptions } from '../lib/options.js';
import { childrenOf } from '../lib/procs.js';
import { startSeeder } from '../lib/seeder-client.js';
import { startServer } from '../lib/server.js';
import { median, now } from '../lib/stats.js';
import type { Series } from './first-fragment.js';

export interface HlsResult {
  coldFirstSegment: Series;
  coldEncoded: Series;
  coldProgressive: Series;
  farSeek: Series & { progressAtSeek: number[] };
  farSeekProgressive: Series;
  warmSegment: Series;
  /** FFmpeg processes started while N viewers fetched the same segments; renditions in play. */
  encoders: Array<{ viewers: number; peak: number; renditions: number }>;
}

const series = (samples: number[]): Series => ({ samples, median: median(samples) });

async function text(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return res.text();
}

/** The media playlists' URLs of a master playlist (the variant and every rendition). */
function renditionsOf(master: string, masterUrl: string): string[] {
  const uris = [...master.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]!);
  const variant = master.split('\n').find((line) => line && !line.startsWith('#'));
  return [...(variant ? [variant] : []), ...uris].map((u) => new URL(u, masterUrl).href);
}

/** Init and segment `k` of a media playlist, fetched whole. */
async function segment(playlistUrl: string, k: number): Promise<void> {
  const playlist = await text(playlistUrl);
  const segments = playlist.split('\n').filter((line) => line && !line.startsWith('#'));
  const init = /URI="([^"]+)"/.exec(playlist)?.[1];
  const parts = [...(init ? [init] : []), segments[Math.min(k, segments.length - 1)]!];
  await Promise.all(parts.map((p) => readAll(new URL(p, playlistUrl).href)));
}

export async function benchHls(options: BenchOptions, log: (line: string) => void): Promise<HlsResult> {
  const movie = await mkvOfMinutes(options.cacheDir, options.movieMinutes, 48);
  const longGops = await mkvOfMinutes(options.cacheDir, options.movieMinutes);
  const n = options.samples;
  const seeder = await startSeeder({
    files: [
      { path: movie.path, copies: 1 + 4 * n },
      { path: longGops.path, copies: n },
    ],
  });
  const server = await startServer();
  const url = server.url;
  const master = (infoHash: string) => `${url}/hls/${infoHash}/0/master.m3u8`;
  const renditions = async (infoHash: string) => renditionsOf(await text(master(infoHash)), master(infoHash));
  const add = (magnet: string) => api(url, 'POST', '/api/torrents', { source: magnet });
  const drop = (infoHash: string) => api(url, 'DELETE', `/api/torrents/${infoHash}?deleteFiles=true`);
  try {
    const [base, ...fresh] = seeder.of(movie.path);
    const coldFirst: number[] = [];
    const coldProgressive: number[] = [];
    for (let i = 0; i < n; i++) {
      const [hlsTorrent, progressiveTorrent] = [fresh[2 * i]!, fresh[2 * i + 1]!];
      let started = now();
      await add(hlsTorrent.magnet);
      await Promise.all((await renditions(hlsTorrent.infoHash)).map((r) => segment(r, 0)));
      coldFirst.push(now() - started);
      await drop(hlsTorrent.infoHash);
      started = now();
      await add(progressiveTorrent.magnet);
      await timeToFirstMoof(`${url}/stream/${progressiveTorrent.infoHash}/0?mode=remux`);
      coldProgressive.push(now() - started);
      await drop(progressiveTorrent.infoHash);
      log(
        `  cold: HLS first segments ${coldFirst.at(-1)!.toFixed(0)} ms, progressive ${coldProgressive.at(-1)!.toFixed(0)} ms`,
      );
    }

    const coldEncoded: number[] = [];
    for (const torrent of seeder.of(longGops.path)) {
      const started = now();
      await add(torrent.magnet);
      await Promise.all((await renditions(torrent.infoHash)).map((r) => segment(r, 0)));
      coldEncoded.push(now() - started);
      await drop(torrent.infoHash);
      log(`  cold, video encoded: HLS first segments ${coldEncoded.at(-1)!.toFixed(0)} ms`);
    }

    const seek: number[] = [];
    const seekProgressive: number[] = [];
    const progressAtSeek: number[] = [];
    const at = movie.duration * 0.75;
    for (let i = 0; i < n; i++) {
      const [hlsTorrent, progressiveTorrent] = [fresh[2 * n + 2 * i]!, fresh[2 * n + 2 * i + 1]!];
      await add(hlsTorrent.magnet);
      const [video] = await renditions(hlsTorrent.infoHash);
      const playlist = await text(video!);
      let end = 0;
      const k = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].findIndex((m) => {
        end += Number(m[1]);
        return end > at;
      });
      progressAtSeek.push(
        (await api<TorrentJson>(url, 'GET', `/api/torrents/${hlsTorrent.infoHash}`)).progress,
      );
      const started = now();
      await segment(video!, k);
      seek.push(now() - started);
      await drop(hlsTorrent.infoHash);
      await add(progressiveTorrent.magnet);
      await api(url, 'GET', `/api/torrents/${progressiveTorrent.infoHash}/files/0/probe`);
      const { moofMs } = await timeToFirstMoof(
        `${url}/stream/${progressiveTorrent.infoHash}/0?mode=remux&t=${at}`,
      );
      seekProgressive.push(moofMs);
      await drop(progressiveTorrent.infoHash);
      log(
        `  far seek (progress ${(progressAtSeek.at(-1)! * 100).toFixed(0)} %): HLS ${seek.at(-1)!.toFixed(0)} ms, progressive ${moofMs.toFixed(0)} ms`,
      );
    }

    await add(base!.magnet);
    await waitTorrent(url, base!.infoHash, (t: TorrentJson) => t.progress >= 1);
    const [video] = await renditions(base!.infoHash);
    const count = (await text(video!)).split('\n').filter((l) => l.startsWith('#EXTINF')).length;
    const warm: number[] = [];
    for (let i = 0; i < n; i++) {
      const started = now();
      await segment(video!, Math.floor(((i + 1) * count) / (n + 2)));
      warm.push(now() - started);
    }
    log(`  warm far segments: ${warm.map((s) => s.toFixed(0)).join(', ')} ms`);

    const encoders: HlsResult['encoders'] = [];
    for (const viewers of [1, 4, 8]) {
      const urls = await renditions(base!.infoHash);
      // FFmpeg processes started during the step (runs paused from earlier steps do not count).
      const before = new Set(childrenOf(server.pid, 'ffmpeg'));
      const started = new Set<number>();
      const watch = setInterval(() => {
        for (const pid of childrenOf(server.pid, 'ffmpeg')) if (!before.has(pid)) started.add(pid);
      }, 10);
      // Each step starts further in, where nothing is cached yet.
      const first = Math.floor(count / 2) + viewers * 3;
      const view = () =>
        Promise.all(
          urls.map(async (u) => {
            for (let k = first; k < Math.min(first + 3, count); k++) await segment(u, k);
          }),
        );
      await Promise.all(Array.from({ length: viewers }, view));
      clearInterval(watch);
      encoders.push({ viewers, peak: started.size, renditions: urls.length });
      log(`  ${viewers} viewers: ${started.size} FFmpeg started for ${urls.length} renditions`);
    }
    return {
      coldFirstSegment: series(coldFirst),
      coldEncoded: series(coldEncoded),
      coldProgressive: series(coldProgressive),
      farSeek: { ...series(seek), progressAtSeek },
      farSeekProgressive: series(seekProgressive),
      warmSegment: series(warm),
      encoders,
    };
  } finally {
    await server.close();
    await seeder.close();
  }
}
