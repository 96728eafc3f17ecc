/** Over the picture: why nothing moves yet (instead of an endless spinner), or a button to start/unmute. */
import { formatSpeed, plural } from '../format.js';
import { html } from '../html.js';
import type { Torrent } from '../types.js';

interface Props {
  waiting: boolean;
  needsClick: boolean;
  autoMuted: boolean;
  torrent: Torrent | undefined;
  onPlay: () => void;
  onUnmute: () => void;
}

export function Overlay({ waiting, needsClick, autoMuted, torrent, onPlay, onUnmute }: Props) {
  return html`
    ${
      waiting && !needsClick
        ? html`<div class="overlay" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span class="overlay-text">${torrent?.stallReason ? `Waiting: ${torrent.stallReason}` : 'Loading the stream…'}</span>
            ${
              torrent
                ? html`<span class="overlay-meta">↓ ${formatSpeed(torrent.downloadSpeed)} · ${plural(torrent.numPeers, 'peer')}</span>`
                : null
            }
          </div>`
        : null
    }
    ${
      needsClick
        ? html`<button type="button" class="big-play" onClick=${onPlay} aria-label="Play">
            <svg viewBox="0 0 24 24" width="48" height="48" aria-hidden="true"><path d="M8 5v14l11-7z" fill="currentColor" /></svg>
          </button>`
        : null
    }
    ${autoMuted ? html`<button type="button" class="unmute" onClick=${onUnmute}>Sound is off — Unmute</button>` : null}
  `;
}
