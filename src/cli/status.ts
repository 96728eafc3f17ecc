/**
 * The live status of `streamtide SOURCE`: a one-line bar on a TTY (stderr, so stdout stays parseable), plain
 * lines every few seconds elsewhere, JSON lines with --json. Read through the public API in-process, so the
 * terminal shows exactly what the web UI shows.
 */
import { SingleBar } from 'cli-progress';
import { formatBytes } from './format.js';
import type { Runtime } from './runtime.js';
import { etaSeconds, type Status, statusDetails, statusLine } from './status-line.js';
import { terminalSafe } from './terminal-text.js';

export type { Status } from './status-line.js';

export type StatusStyle = 'bar' | 'lines' | 'json' | 'none';

interface FileJson {
  index: number;
  name: string;
  length: number;
  progress: number;
  downloaded?: Array<[number, number]>;
  readers?: number[];
}

interface TorrentJson {
  downloadSpeed: number;
  numPeers: number;
  stallReason: string | null;
  files: FileJson[];
}

/** Contiguous verified bytes from a position: what a viewer there has in hand. */
export function bufferedFrom(ranges: Array<[number, number]>, position: number): number {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let end = position;
  for (const [start, stop] of sorted) {
    if (start > end) break;
    if (stop > end) end = stop;
  }
  return end - position;
}

export class StatusReporter {
  private bar: SingleBar | null = null;
  private timer: NodeJS.Timeout | null = null;
  private plan = '…';
  /** With --cast: the renderer's label (cast.ts). */
  cast: (() => string) | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly infoHash: string,
    private readonly fileIndex: number,
    private readonly style: StatusStyle,
    /** Already made terminal-safe by the caller. */
    private readonly name: string,
    private readonly authorization?: string,
  ) {}

  private async api<T>(url: string): Promise<T | null> {
    const headers = this.authorization ? { authorization: this.authorization } : undefined;
    const response = await this.runtime.app.inject({ method: 'GET', url, headers });
    return response.statusCode === 200 ? (response.json() as T) : null;
  }

  async read(): Promise<Status | null> {
    const torrent = await this.api<TorrentJson>(`/api/torrents/${this.infoHash}`);
    if (!torrent) return null;
    const file = torrent.files[this.fileIndex];
    if (!file) return null;
    return {
      name: terminalSafe(file.name),
      length: file.length,
      // The file being watched, not the whole torrent: its other files may never be fetched.
      progress: file.progress,
      downloadSpeed: torrent.downloadSpeed,
      numPeers: torrent.numPeers,
      // The playhead is roughly where the stream reads; before any stream reads, the file's start.
      bufferedAhead: bufferedFrom(file.downloaded ?? [], file.readers?.[0] ?? 0),
      eta: etaSeconds(file.length, file.progress, torrent.downloadSpeed),
      plan: this.plan,
      stallReason: torrent.stallReason && terminalSafe(torrent.stallReason),
      ...(this.cast ? { cast: this.cast() } : {}),
    };
  }

  start(): void {
    if (this.style === 'none') return;
    // The plan needs a probe (the file's first megabytes); it arrives when it arrives.
    void this.api<{ plan: string }>(`/api/torrents/${this.infoHash}/files/${this.fileIndex}/probe`).then(
      (probe) => {
        this.plan = probe?.plan ?? 'not media';
      },
    );
    if (this.style === 'bar') {
      this.bar = new SingleBar({
        format: '{name} ({size}) {bar} {percentage}% | {details}',
        barsize: 20,
        barCompleteChar: '\u2588',
        barIncompleteChar: '\u2591',
        hideCursor: true,
        clearOnComplete: false,
        stream: process.stderr,
        fps: 4,
      });
      this.bar.start(100, 0, { name: this.name, size: '-', details: this.plan });
    }
    const period = this.style === 'bar' ? 500 : 5000;
    this.timer = setInterval(() => void this.tick(), period);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const status = await this.read().catch(() => null);
    if (!status) return;
    if (this.bar) {
      this.bar.update(Math.floor(status.progress * 1000) / 10, {
        name: status.name,
        size: formatBytes(status.length),
        details: statusDetails(status),
      });
    } else if (this.style === 'json') {
      process.stdout.write(`${JSON.stringify({ type: 'status', infoHash: this.infoHash, ...status })}\n`);
    } else {
      process.stderr.write(`${statusLine(status)}\n`);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.bar?.stop();
    this.bar = null;
  }
}
