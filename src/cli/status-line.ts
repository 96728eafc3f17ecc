/** The words of the status line, kept apart from the timers and the terminal so they can be tested. */
import { formatBytes, formatSpeed } from './format.js';

export interface Status {
  name: string;
  length: number;
  progress: number;
  downloadSpeed: number;
  numPeers: number;
  bufferedAhead: number;
  /** Seconds until the download completes at the current speed; null when it is not moving. */
  eta: number | null;
  plan: string;
  stallReason: string | null;
  /** With --cast: the renderer's name and state. */
  cast?: string;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function etaSeconds(length: number, progress: number, speed: number): number | null {
  if (progress >= 1) return 0;
  if (!(speed > 0)) return null;
  return Math.ceil((length * (1 - progress)) / speed);
}

export function formatEta(seconds: number | null): string {
  if (seconds === null) return 'ETA -';
  if (seconds === 0) return 'done';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `ETA ${h}h${String(m).padStart(2, '0')}m`;
  return m > 0 ? `ETA ${m}m${String(s).padStart(2, '0')}s` : `ETA ${s}s`;
}

/** A play position: 1:05, 1:02:03. */
export function formatClock(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Everything after the bar (or the percentage): speed, peers, buffered, ETA, plan, why it stalls. */
export function statusDetails(status: Status): string {
  const parts = [
    ...(status.cast ? [`cast ${status.cast}`] : []),
    `↓ ${formatSpeed(status.downloadSpeed)}`,
    plural(status.numPeers, 'peer'),
    `buffered ${formatBytes(status.bufferedAhead)}`,
    formatEta(status.eta),
    status.plan,
  ];
  if (status.stallReason) parts.push(status.stallReason);
  return parts.join(' | ');
}

/** One plain line (non-TTY stderr): name and size first, since there is no bar to look at. */
export function statusLine(status: Status): string {
  return `${status.name} (${formatBytes(status.length)}) ${(status.progress * 100).toFixed(1)}% | ${statusDetails(status)}`;
}
