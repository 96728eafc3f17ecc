/** What the download is doing for this file: plan, speed, peers, downloaded share, and why it waits. */
import { formatBytes, formatPercent, formatSpeed, plural } from '../format.js';
import { html } from '../html.js';
import type { Plan, Torrent, TorrentFile } from '../types.js';
import type { Engine } from './engine.js';

const planText: Record<Plan, string> = {
  direct: 'Direct play (the file as it is)',
  remux: 'Remux (repackaged by FFmpeg, not re-encoded)',
  transcode: 'Transcode (re-encoded by FFmpeg)',
};

/** How FFmpeg's output reaches this page. */
const deliveryText: Partial<Record<Engine, string>> = {
  'hls.js': 'HLS segments (hls.js)',
  'native-hls': "HLS segments (the browser's player)",
  progressive: 'one continuous stream, restarted on a seek',
};

interface Props {
  torrent: Torrent | undefined;
  file: TorrentFile | undefined;
  plan: Plan | undefined;
  /** What actually plays now (a direct file switches to remux for another audio track). */
  mode: Plan | undefined;
  container?: string | null;
  /** How it plays (engine.ts), for the plans that go through FFmpeg. */
  engine?: Engine;
}

export function StatusPanel({ torrent, file, plan, mode, container, engine }: Props) {
  const delivery = engine && mode !== 'direct' ? deliveryText[engine] : undefined;
  return html`
    <dl class="status-list">
      ${
        plan
          ? html`<div><dt>Plan</dt><dd data-testid="plan">${planText[mode ?? plan] ?? mode ?? plan}
              ${container ? html`<span class="muted"> · ${container}</span>` : null}</dd></div>`
          : null
      }
      ${delivery ? html`<div><dt>Delivery</dt><dd data-testid="delivery">${delivery}</dd></div>` : null}
      ${
        torrent
          ? html`
            <div><dt>Download</dt><dd>↓ ${formatSpeed(torrent.downloadSpeed)} · ↑ ${formatSpeed(torrent.uploadSpeed)}</dd></div>
            <div><dt>Peers</dt><dd>${plural(torrent.numPeers, 'peer')}</dd></div>
            ${
              file
                ? html`<div><dt>File</dt><dd>${formatPercent(file.progress)} of ${formatBytes(file.length)}
                    <${PieceBar} spans=${downloadedFractions(file)} /></dd></div>`
                : null
            }
            ${
              torrent.stallReason
                ? html`<div><dt>Waiting</dt><dd class="stall" data-testid="stall">${torrent.stallReason}</dd></div>`
                : null
            }`
          : null
      }
    </dl>
  `;
}

/** The file's downloaded byte ranges as fractions of its length. */
export function downloadedFractions(file: TorrentFile | undefined): Array<[number, number]> {
  if (!file?.downloaded || file.length <= 0) return [];
  return file.downloaded.map(([start, end]) => [start / file.length, Math.min(1, (end + 1) / file.length)]);
}

/** Which parts of the file are on disk, left to right. */
function PieceBar({ spans }: { spans: Array<[number, number]> }) {
  return html`<span class="piece-bar" aria-hidden="true">
    ${spans.map(([a, b]) => html`<span style=${{ left: `${a * 100}%`, width: `${Math.max(0, b - a) * 100}%` }}></span>`)}
  </span>`;
}
