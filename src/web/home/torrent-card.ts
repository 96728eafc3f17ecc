/** One torrent on the home page: live numbers, its files, the playlist link and removal. */
import { useState } from 'preact/hooks';
import { formatBytes, formatPercent, formatSpeed, plural } from '../format.js';
import { html } from '../html.js';
import type { Torrent } from '../types.js';
import { playlistUrl } from '../urls.js';
import { FileList } from './file-list.js';
import { RemoveConfirm } from './remove-dialog.js';

interface Props {
  torrent: Torrent;
  onRemoved: () => void;
}

export function TorrentCard({ torrent, onRemoved }: Props) {
  const [confirming, setConfirming] = useState(false);
  const titleId = `t-${torrent.infoHash}`;
  const done = torrent.ready && torrent.progress >= 1;
  // Every card has these buttons: the name tells a screen reader (and a test) which torrent each one acts on.
  const name = torrent.name || torrent.infoHash;
  // No token in the playlist link: the page's session cookie opens it, and a copied link gives nothing away.
  return html`
    <li class="panel torrent" aria-labelledby=${titleId}>
      <div class="torrent-head">
        <h3 id=${titleId} class="torrent-name">${name}</h3>
        <div class="torrent-actions">
          ${
            torrent.ready
              ? html`<a class="button small secondary" href=${playlistUrl(torrent.infoHash)}
                  download=${`${torrent.infoHash}.m3u`} aria-label=${`Playlist (.m3u) of ${name}`}>Playlist (.m3u)</a>`
              : null
          }
          <button
            type="button"
            class="small secondary"
            aria-expanded=${confirming}
            aria-label=${`Remove ${name}…`}
            onClick=${() => setConfirming(!confirming)}
          >
            Remove…
          </button>
        </div>
      </div>
      <progress
        class="bar"
        max="1"
        value=${torrent.progress}
        aria-label=${`Downloaded of ${torrent.name || 'torrent'}`}
      ></progress>
      <p class="stats">
        <span>${formatPercent(torrent.progress)}${torrent.ready ? ` of ${formatBytes(torrent.length)}` : ''}</span>
        <span title="Download speed">↓ ${formatSpeed(torrent.downloadSpeed)}</span>
        <span title="Upload speed">↑ ${formatSpeed(torrent.uploadSpeed)}</span>
        <span>${plural(torrent.numPeers, 'peer')}</span>
        ${done ? html`<span class="ok">complete</span>` : null}
      </p>
      ${torrent.stallReason && !done ? html`<p class="stall">Waiting: ${torrent.stallReason}</p>` : null}
      ${
        confirming
          ? html`<${RemoveConfirm} torrent=${torrent} onCancel=${() => setConfirming(false)} onRemoved=${onRemoved} />`
          : null
      }
      <${FileList} torrent=${torrent} />
    </li>
  `;
}
