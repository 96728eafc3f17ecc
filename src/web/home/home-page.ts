/** `/`: add torrents and see the list, refreshed every second while the page is visible. */
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { html } from '../html.js';
import { usePoll } from '../poll.js';
import { AddForm } from './add-form.js';
import { TorrentCard } from './torrent-card.js';

export function HomePage() {
  const torrents = usePoll((signal) => api.list(signal), 1000, 'list');
  useEffect(() => {
    document.title = 'streamtide';
  }, []);
  const list = torrents.data;
  return html`
    <main class="page home">
      <header class="site-header">
        <h1><span class="logo" aria-hidden="true">≋</span> streamtide</h1>
        <p class="muted">Stream video out of BitTorrent while it downloads.</p>
      </header>
      <${AddForm} onAdded=${torrents.refresh} />
      <section aria-labelledby="list-title">
        <h2 id="list-title">Torrents</h2>
        ${torrents.error ? html`<p class="error" role="alert">${torrents.error.message}</p>` : null}
        ${list === undefined && !torrents.error ? html`<p class="muted">Loading…</p>` : null}
        ${list?.length === 0 ? html`<p class="muted">Nothing here yet. Add a magnet link above.</p>` : null}
        ${
          list && list.length > 0
            ? html`<ul class="torrents">
                ${list.map((t) => html`<${TorrentCard} key=${t.infoHash} torrent=${t} onRemoved=${torrents.refresh} />`)}
              </ul>`
            : null
        }
      </section>
    </main>
  `;
}
