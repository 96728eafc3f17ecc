/**
 * The metrics of GET /metrics in prom-client (metrics.ts loads this module at the first scrape): the library
 * (torrents, peers, stalls, bytes in and out), the streams (started, open and failed by mode; where their
 * starts spent their time) and the FFmpeg processes (HLS runs included: they take the same slots). Library
 * figures are read when scraped.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Catalog } from '../catalog/catalog.js';
import type { StartPhases } from '../catalog/start-ledger.js';
import type { StreamObserver } from './metrics.js';
import type { Limits } from './services.js';

const PHASES = ['metadata', 'firstByte', 'probed', 'firstOut'] as const;

export class PromMetrics implements StreamObserver {
  readonly registry = new Registry();
  readonly #started: Counter<'mode'>;
  readonly #failed: Counter<'mode'>;
  readonly #open: Gauge<'mode'>;
  readonly #phases: Histogram<'mode' | 'phase'>;

  constructor(catalog: Catalog, limits: Limits) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#started = new Counter({
      name: 'streamtide_streams_started_total',
      help: 'Streams started (HLS: playbacks, counted at their first segment), by mode',
      labelNames: ['mode'],
      registers,
    });
    this.#failed = new Counter({
      name: 'streamtide_streams_failed_total',
      help: 'Streams that ended in an error, by mode',
      labelNames: ['mode'],
      registers,
    });
    this.#open = new Gauge({
      name: 'streamtide_streams_open',
      help: 'Progressive streams being served now, by mode',
      labelNames: ['mode'],
      registers,
    });
    this.#phases = new Histogram({
      name: 'streamtide_stream_start_phase_seconds',
      help: 'Time from a stream start (or its torrent added cold) to each phase: metadata, first byte, probed, first output',
      labelNames: ['mode', 'phase'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
      registers,
    });
    const entries = () => catalog.list();
    gauge(
      registers,
      'streamtide_torrents',
      'Torrents and local files in the library',
      () => entries().length,
    );
    gauge(registers, 'streamtide_peers', 'Peers connected, over every torrent', () =>
      entries().reduce((sum, entry) => sum + entry.numPeers, 0),
    );
    gauge(
      registers,
      'streamtide_torrents_stalled',
      'Torrents a reader waits on with no data arriving',
      () => entries().filter((entry) => catalog.stallReason(entry.infoHash) !== null).length,
    );
    gauge(registers, 'streamtide_download_speed_bytes', 'Bytes per second downloaded now', () =>
      entries().reduce((sum, entry) => sum + entry.downloadSpeed, 0),
    );
    gauge(registers, 'streamtide_upload_speed_bytes', 'Bytes per second uploaded now', () =>
      entries().reduce((sum, entry) => sum + entry.uploadSpeed, 0),
    );
    total(registers, 'streamtide_downloaded_bytes_total', 'Bytes downloaded since start', () =>
      catalog.torrents ? catalog.torrents.totals.downloaded : 0,
    );
    total(registers, 'streamtide_uploaded_bytes_total', 'Bytes uploaded since start', () =>
      catalog.torrents ? catalog.torrents.totals.uploaded : 0,
    );
    gauge(
      registers,
      'streamtide_ffmpeg_processes',
      'FFmpeg processes: streams, HLS segment runs, probes',
      () => limits.ffmpegProcesses.inUse,
    );
    gauge(
      registers,
      'streamtide_transcodes',
      'Transcoding FFmpeg processes (part of the above)',
      () => limits.transcodes.inUse,
    );
  }

  started(mode: string): void {
    this.#started.inc({ mode });
    if (mode !== 'hls') this.#open.inc({ mode });
  }

  firstOutput(mode: string, phases: StartPhases): void {
    for (const phase of PHASES) {
      const ms = phases[phase];
      if (ms !== undefined) this.#phases.observe({ mode, phase }, ms / 1000);
    }
  }

  ended(mode: string, failed: boolean): void {
    if (failed) this.#failed.inc({ mode });
    this.#open.dec({ mode });
  }
}

function gauge(registers: Registry[], name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
}

/** A counter over a running total kept elsewhere: each scrape adds what it grew by. */
function total(registers: Registry[], name: string, help: string, read: () => number): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers,
    collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = now;
    },
  });
}
