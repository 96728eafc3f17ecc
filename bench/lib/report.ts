/** The bench's results as one markdown table: figure, reference measured in the same run, ratio, target. */
import type { CapResult } from '../sections/cap.js';
import type { ConcurrencyResult } from '../sections/concurrency.js';
import type { FirstFragmentResult } from '../sections/first-fragment.js';
import type { HlsResult } from '../sections/hls.js';
import type { MemoryResult } from '../sections/memory.js';
import type { PumpResult } from '../sections/pump.js';
import type { RealTtffResult } from '../sections/real-ttff.js';
import type { SwarmResult } from '../sections/swarm.js';
import type { ThrottledSeekResult } from '../sections/throttled-seek.js';
import type { ThroughputResult, ThroughputSeries } from '../sections/throughput.js';
import { describeMedians } from './phases.js';
import { realTtffRows, swarmRows } from './report-swarm.js';
import { mb, mbps, median, ratio, seconds } from './stats.js';

export interface Results {
  pump?: PumpResult;
  firstFragment?: FirstFragmentResult;
  throttledSeek?: ThrottledSeekResult;
  hls?: HlsResult;
  throughput?: ThroughputResult;
  cap?: CapResult;
  memory?: MemoryResult;
  concurrency?: ConcurrencyResult;
  realTtff?: RealTtffResult;
  swarm?: SwarmResult;
}

type Row = [string, string, string, string, string, string];

const verdict = (ok: boolean | null) => (ok === null ? '—' : ok ? 'met' : '**missed**');

export function table(results: Results): string {
  const rows: Row[] = [];
  const { pump, firstFragment: ff, throttledSeek: ts, hls, throughput, memory, concurrency } = results;
  if (pump) {
    rows.push([
      `Stdin overhead: remux of a complete ${mb(pump.fileBytes)} MKV → fMP4 on /dev/null`,
      `${seconds(pump.medianFileMs)} (the file as FFmpeg's stdin)`,
      `${seconds(pump.medianPathMs)} (FFmpeg reads the path)`,
      ratio(pump.ratio),
      '≤ 1.05×',
      verdict(pump.ratio <= 1.05),
    ]);
    rows.push([
      'Pump overhead (a file not yet complete on disk)',
      `${seconds(pump.medianPumpMs)} (LocalFileSource → StreamPump → stdin)`,
      `${seconds(pump.medianPathMs)} (FFmpeg reads the path)`,
      ratio(pump.pumpRatio),
      '—',
      '—',
    ]);
    rows.push([
      'Pump vs the cheapest pipe feed',
      `${seconds(pump.medianPumpMs)} (StreamPump)`,
      `${seconds(pump.medianCatMs)} (\`cat FILE \\| ffmpeg -i pipe:0\`)`,
      ratio(pump.ratioToCat),
      '—',
      '—',
    ]);
  }
  if (ff) {
    const cliWarm = `${seconds(ff.cliWarm.median)} (webtorrent-cli, first byte)`;
    const cliCold = `${seconds(ff.cliCold.median)} (webtorrent-cli, first byte)`;
    const r = (a: number, b: number) => ratio(a / b);
    rows.push([
      'First fragment, warm, remux',
      seconds(ff.warmRemux.median),
      cliWarm,
      r(ff.warmRemux.median, ff.cliWarm.median),
      '≤ 0.3 s',
      verdict(ff.warmRemux.median <= 300),
    ]);
    rows.push([
      'First fragment, warm, transcode',
      seconds(ff.warmTranscode.median),
      cliWarm,
      r(ff.warmTranscode.median, ff.cliWarm.median),
      '≤ 0.3 s',
      verdict(ff.warmTranscode.median <= 300),
    ]);
    rows.push([
      'First fragment, warm, first open (probe included, 1 sample)',
      seconds(ff.warmFirstOpenMs),
      cliWarm,
      r(ff.warmFirstOpenMs, ff.cliWarm.median),
      '—',
      '—',
    ]);
    rows.push([
      'First fragment, cold magnet, remux',
      seconds(ff.coldRemux.median),
      cliCold,
      r(ff.coldRemux.median, ff.cliCold.median),
      '≤ 1.5 s',
      verdict(ff.coldRemux.median <= 1500),
    ]);
    rows.push([
      'First fragment, cold magnet, transcode',
      seconds(ff.coldTranscode.median),
      cliCold,
      r(ff.coldTranscode.median, ff.cliCold.median),
      '≤ 1.5 s',
      verdict(ff.coldTranscode.median <= 1500),
    ]);
    // Older results files have no phases.
    for (const [mode, phases] of [
      ['remux', ff.coldRemuxPhases],
      ['transcode', ff.coldTranscodePhases],
    ] as const) {
      if (phases)
        rows.push([
          `Cold start phases, ${mode} (median, from the add)`,
          describeMedians(phases),
          '—',
          '—',
          '—',
          '—',
        ]);
    }
    rows.push([
      'Seek to the middle, downloaded (remux)',
      seconds(ff.seekDownloaded.median),
      '—',
      '—',
      '≤ 1 s',
      verdict(ff.seekDownloaded.median <= 1000),
    ]);
    const progress = Math.max(...ff.seekNotDownloaded.progressAtSeek);
    rows.push([
      `Seek to the middle, not downloaded (≤ ${(progress * 100).toFixed(0)} % in)`,
      seconds(ff.seekNotDownloaded.median),
      '—',
      '—',
      '—',
      '—',
    ]);
  }
  if (ts) {
    const progress = Math.max(...ts.remux.progressAtSeek, ...ts.direct.progressAtSeek);
    rows.push([
      `Seek to ${ts.at * 100} %, not downloaded (≤ ${(progress * 100).toFixed(0)} % in), swarm capped at ` +
        `${mbps(ts.throttleBytesPerS)}, ${ts.latencyMs} ms latency: remux, first fragment`,
      seconds(ts.remux.median),
      `${seconds(ts.direct.median)} (direct Range seek, first byte)`,
      ratio(ts.ratio),
      '—',
      `load ${ts.loadAverageBefore[0]} → ${ts.loadAverageAfter[0]}`,
    ]);
  }
  if (results.realTtff) rows.push(...realTtffRows(results.realTtff));
  if (results.swarm) rows.push(...swarmRows(results.swarm));
  if (hls) rows.push(...hlsRows(hls));
  if (throughput) rows.push(...throughputRows(throughput));
  if (results.cap) {
    const { cap } = results;
    rows.push([
      `Download under \`--download-limit ${cap.capBytesPerS / 1e6}M\`, ${mb(cap.fileBytes)}, past its first 25 %`,
      `${(median(cap.ratesBytesPerS) / 1e6).toFixed(2)} MB/s`,
      `${(cap.capBytesPerS / 1e6).toFixed(2)} MB/s (the cap)`,
      ratio(cap.ratio),
      '0.8–1.05×',
      verdict(cap.ratio >= 0.8 && cap.ratio <= 1.05),
    ]);
  }
  if (memory) {
    rows.push([
      `Idle server RSS (\`serve\`, no torrents, ${memory.idleMs / 1000} s after it listens)`,
      `${mb(memory.idleServeRss)} (1 s after: ${mb(memory.idleServeRssAt1s)})`,
      `${mb(memory.bareNodeRss)} (bare \`node\`, idle)`,
      ratio(memory.idleServeRss / memory.bareNodeRss),
      '≤ 60 MiB',
      verdict(memory.idleServeRss <= 60 * 2 ** 20),
    ]);
    rows.push([
      `Peak server RSS, one ${mb(memory.fileBytes)} remux start to end`,
      `${mb(memory.peakServerRss)} = ${(memory.peakServerRss / 1e6).toFixed(1)} MB (FFmpeg apart: ${mb(memory.peakFfmpegRss)})`,
      `${mb(memory.rssBeforeStream)} (idle server, its file added)`,
      ratio(memory.peakServerRss / memory.rssBeforeStream),
      '≤ 100 MB',
      verdict(memory.peakServerRss <= 100e6),
    ]);
    rows.push([
      `Server RSS growth after ${memory.cycles} streams started and cut`,
      `${memory.cycleGrowth >= 0 ? '+' : ''}${mb(memory.cycleGrowth)}`,
      `${mb(memory.rssBeforeCycles)} (before)`,
      '—',
      '≤ 20 MB',
      verdict(memory.cycleGrowth <= 20e6),
    ]);
  }
  if (concurrency) {
    const last = concurrency.steps.find((s) => s.n === concurrency.largestN);
    const capped = concurrency.largestN === concurrency.triedUpTo;
    rows.push([
      'Concurrent remux viewers, each faster than real time',
      `${capped ? '≥ ' : ''}${concurrency.largestN}${last ? ` (slowest ${last.minSpeed.toFixed(1)}× real time)` : ''}`,
      capped ? `${concurrency.triedUpTo} tried (server cap: 8 per CPU)` : `${concurrency.triedUpTo} failed`,
      '—',
      '≥ 8',
      verdict(concurrency.largestN >= 8),
    ]);
  }
  const header =
    '| measure | streamtide | reference (same run) | ratio | target | |\n|---|---|---|---|---|---|';
  return [header, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function hlsRows(hls: HlsResult): Row[] {
  const progress = Math.max(...hls.farSeek.progressAtSeek) * 100;
  const worst = hls.encoders.reduce((m, e) => Math.max(m, e.peak / e.renditions), 0);
  return [
    [
      'HLS first segments (playlists, init, segment 0 of each rendition), cold magnet',
      seconds(hls.coldFirstSegment.median),
      `${seconds(hls.coldProgressive.median)} (progressive remux, first fragment)`,
      ratio(hls.coldFirstSegment.median / hls.coldProgressive.median),
      '≤ 1.5 s',
      verdict(hls.coldFirstSegment.median <= 1500),
    ],
    [
      'HLS first segments, cold magnet, 10 s between keyframes (video encoded)',
      seconds(hls.coldEncoded.median),
      `${seconds(hls.coldProgressive.median)} (progressive remux, first fragment)`,
      ratio(hls.coldEncoded.median / hls.coldProgressive.median),
      '—',
      '—',
    ],
    [
      `HLS far seek: the segment at 75 % (torrent ≤ ${progress.toFixed(0)} % downloaded)`,
      seconds(hls.farSeek.median),
      `${seconds(hls.farSeekProgressive.median)} (progressive remux seek there)`,
      ratio(hls.farSeek.median / hls.farSeekProgressive.median),
      '≤ 1 s',
      verdict(hls.farSeek.median <= 1000),
    ],
    [
      'HLS far segment, downloaded (no cache, no encoder near)',
      seconds(hls.warmSegment.median),
      '—',
      '—',
      '—',
      '—',
    ],
    [
      `HLS encoders for ${hls.encoders.map((e) => e.viewers).join('/')} viewers of the same segments`,
      hls.encoders.map((e) => `${e.peak} FFmpeg / ${e.renditions} renditions`).join(', '),
      '1 per rendition',
      ratio(worst),
      '1 per rendition',
      verdict(worst <= 1),
    ],
  ];
}

function throughputRows(throughput: ThroughputResult): Row[] {
  const row = (title: string, s: ThroughputSeries): Row => [
    `${title} (load ${s.loadAverageBefore[0]} → ${s.loadAverageAfter[0]})`,
    `${mbps(s.oursBytesPerS)} (${s.oursCpuPerGiB.toFixed(1)} s CPU per GiB)`,
    `${mbps(s.aria2BytesPerS)} (aria2c; ${s.aria2CpuPerGiB.toFixed(1)} s CPU per GiB)`,
    ratio(s.ratio),
    '≥ 1.0×',
    verdict(s.ratio >= 1),
  ];
  const rows = [
    row(`Download throughput, ${mb(throughput.fileBytes)} from a loopback seeder`, throughput.asIs),
  ];
  const loaded = throughput.underLoad;
  if (loaded)
    rows.push(
      row(
        `… with ${loaded.busyProcesses} busy process${loaded.busyProcesses === 1 ? '' : 'es'} added`,
        loaded,
      ),
    );
  return rows;
}
