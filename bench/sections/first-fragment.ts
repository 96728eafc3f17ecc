/**
 * Time to first fragment and seek latency, on one loopback swarm: the bench's seeder process seeds the
 * "movie" under many names (every cold sample gets a torrent nobody has), the server under test runs in its
 * own process, and webtorrent-cli's server is measured on the same seeder and bytes.
 *
 * warm: the torrent is fully downloaded and probed (the first open, with its probe, is reported apart).
 * cold: a fresh magnet whose only peer is the seeder: metadata, head pieces, probe, FFmpeg start, first moof.
 * Each cold torrent is removed with its data before the next sample, so no background download overlaps.
 */

import { api, pollFirstByte, readAll, type TorrentJson, timeToFirstMoof, waitTorrent } from '../lib/http.js';
import { mkvOfMinutes } from '../lib/media.js';
import type { BenchOptions } from '../lib/options.js';
import { lastPhases, type PhaseMedians, phaseMedians } from '../lib/phases.js';
import { childrenOf } from '../lib/procs.js';
import { startSeeder } from '../lib/seeder-client.js';
import { type ServerChild, startServer } from '../lib/server.js';
import { median, now } from '../lib/stats.js';
import { startWebtorrentCli } from '../refs/webtorrent-cli.js';
import type { SeededTorrent } from '../seeder.js';

export interface Series {
  samples: number[];
  median: number;
}

export interface FirstFragmentResult {
  movie: { bytes: number; seconds: number };
  warmFirstOpenMs: number;
  warmRemux: Series;
  warmTranscode: Series;
  coldRemux: Series;
  coldTranscode: Series;
  /** Where the cold starts' time went (the server's own phases, from the add). */
  coldRemuxPhases: PhaseMedians;
  coldTranscodePhases: PhaseMedians;
  seekDownloaded: Series;
  seekNotDownloaded: Series & { progressAtSeek: number[] };
  cliWarm: Series;
  cliCold: Series;
}

const series = (samples: number[]): Series => ({ samples, median: median(samples) });

/** Waits (bounded) until the server has no FFmpeg left from the last sample, so samples do not overlap. */
async function idle(server: ServerChild): Promise<void> {
  const until = now() + 5000;
  while (childrenOf(server.pid, 'ffmpeg').length > 0 && now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function benchFirstFragment(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<FirstFragmentResult> {
  const movie = await mkvOfMinutes(options.cacheDir, options.movieMinutes);
  const n = options.samples;
  const seeder = await startSeeder({ files: [{ path: movie.path, copies: 1 + 3 * n }] });
  const server = await startServer();
  try {
    const [base, ...fresh] = seeder.of(movie.path);
    const coldRemuxTorrents = fresh.slice(0, n);
    const coldTranscodeTorrents = fresh.slice(n, 2 * n);
    const seekTorrents = fresh.slice(2 * n, 3 * n);
    const url = server.url;
    const stream = (t: SeededTorrent, query: string) => `${url}/stream/${t.infoHash}/0?${query}`;
    const middle = (movie.duration / 2).toFixed(1);

    // Cold first, while the page cache holds nothing of the server's own copies.
    const cold = async (torrents: SeededTorrent[], query: string, label: string) => {
      const samples: number[] = [];
      const phases = [];
      for (const torrent of torrents) {
        const started = now();
        await api(url, 'POST', '/api/torrents', { source: torrent.magnet });
        await timeToFirstMoof(stream(torrent, query));
        samples.push(now() - started); // from the POST: metadata, probe, FFmpeg, first fragment
        phases.push(await lastPhases(url, torrent.infoHash, { probed: true }));
        log(`  ${label}: ${samples.at(-1)!.toFixed(0)} ms, phases ${JSON.stringify(phases.at(-1))}`);
        await api(url, 'DELETE', `/api/torrents/${torrent.infoHash}?deleteFiles=true`);
        await idle(server);
      }
      return { ...series(samples), phases: phaseMedians(phases) };
    };
    const { phases: coldRemuxPhases, ...coldRemux } = await cold(
      coldRemuxTorrents,
      'mode=remux',
      'cold remux',
    );
    const { phases: coldTranscodePhases, ...coldTranscode } = await cold(
      coldTranscodeTorrents,
      'mode=transcode',
      'cold transcode',
    );

    const seekSamples: number[] = [];
    const progressAtSeek: number[] = [];
    for (const torrent of seekTorrents) {
      await api(url, 'POST', '/api/torrents', { source: torrent.magnet });
      await api(url, 'GET', `/api/torrents/${torrent.infoHash}/files/0/probe`);
      const state = await api<TorrentJson>(url, 'GET', `/api/torrents/${torrent.infoHash}`);
      progressAtSeek.push(state.progress);
      const { moofMs } = await timeToFirstMoof(stream(torrent, `mode=remux&t=${middle}`));
      seekSamples.push(moofMs);
      log(
        `  seek, not downloaded (progress ${(state.progress * 100).toFixed(0)} %): ${moofMs.toFixed(0)} ms`,
      );
      await api(url, 'DELETE', `/api/torrents/${torrent.infoHash}?deleteFiles=true`);
      await idle(server);
    }

    // Warm: the base torrent downloaded whole.
    await api(url, 'POST', '/api/torrents', { source: base!.magnet });
    await waitTorrent(url, base!.infoHash, (t) => t.progress >= 1);
    const warmFirstOpenMs = (await timeToFirstMoof(stream(base!, 'mode=remux'))).moofMs;
    log(`  warm first open (with probe): ${warmFirstOpenMs.toFixed(0)} ms`);
    const warm = async (query: string, label: string) => {
      const samples: number[] = [];
      for (let i = 0; i < n; i++) {
        samples.push((await timeToFirstMoof(stream(base!, query))).moofMs);
        await idle(server);
      }
      log(`  ${label}: ${samples.map((s) => s.toFixed(0)).join(', ')} ms`);
      return series(samples);
    };
    const warmRemux = await warm('mode=remux', 'warm remux');
    const warmTranscode = await warm('mode=transcode', 'warm transcode');
    // A seek as a player makes it: the playing stream is cut and the new one asked for at once.
    const seekDownloadedSamples: number[] = [];
    for (let i = 0; i < n; i++) {
      await timeToFirstMoof(stream(base!, 'mode=remux'));
      seekDownloadedSamples.push((await timeToFirstMoof(stream(base!, `mode=remux&t=${middle}`))).moofMs);
      await idle(server);
    }
    log(`  seek, downloaded: ${seekDownloadedSamples.map((s) => s.toFixed(0)).join(', ')} ms`);
    const seekDownloaded = series(seekDownloadedSamples);

    // webtorrent-cli on the same seeder: cold on the same fresh torrents, warm once it has the whole file.
    const cliCold: number[] = [];
    for (const torrent of coldRemuxTorrents) {
      const cli = await startWebtorrentCli(torrent.magnet);
      try {
        const started = now();
        cliCold.push(await pollFirstByte(cli.fileUrl(torrent.infoHash, torrent.name), started));
        log(`  webtorrent-cli cold: ${cliCold.at(-1)!.toFixed(0)} ms`);
      } finally {
        await cli.close();
      }
    }
    const cliWarm: number[] = [];
    const cli = await startWebtorrentCli(base!.magnet);
    try {
      const fileUrl = cli.fileUrl(base!.infoHash, base!.name);
      await pollFirstByte(fileUrl, now());
      const got = await readAll(fileUrl);
      if (got !== base!.length) throw new Error(`webtorrent-cli served ${got} of ${base!.length} bytes`);
      for (let i = 0; i < n; i++) cliWarm.push(await pollFirstByte(fileUrl, now()));
      log(`  webtorrent-cli warm: ${cliWarm.map((s) => s.toFixed(1)).join(', ')} ms`);
    } finally {
      await cli.close();
    }

    return {
      movie: { bytes: movie.size, seconds: movie.duration },
      warmFirstOpenMs,
      warmRemux,
      warmTranscode,
      coldRemux,
      coldTranscode,
      coldRemuxPhases,
      coldTranscodePhases,
      seekDownloaded,
      seekNotDownloaded: { ...series(seekSamples), progressAtSeek },
      cliWarm: series(cliWarm),
      cliCold: series(cliCold),
    };
  } finally {
    await server.close();
    await seeder.close();
  }
}
