/** Adding a torrent: paste a magnet / info-hash / URL, or drop or pick a `.torrent` file. */
import { useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html } from '../html.js';
import type { Torrent } from '../types.js';

interface Props {
  onAdded: (torrent: Torrent) => void;
}

type Status =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'error'; message: string }
  | { kind: 'added'; name: string };

const looksLikeTorrentFile = (file: File) =>
  file.name.toLowerCase().endsWith('.torrent') || file.type === 'application/x-bittorrent';

export function AddForm({ onAdded }: Props) {
  const [source, setSource] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const run = async (add: () => Promise<Torrent>) => {
    setStatus({ kind: 'busy' });
    try {
      const torrent = await add();
      setStatus({ kind: 'added', name: torrent.name || torrent.infoHash });
      setSource('');
      onAdded(torrent);
    } catch (err) {
      setStatus({ kind: 'error', message: (err as Error).message });
    }
  };

  const addFile = (file: File | undefined) => {
    if (!file) return;
    if (!looksLikeTorrentFile(file)) {
      setStatus({ kind: 'error', message: `${file.name} is not a .torrent file.` });
      return;
    }
    void run(() => api.addTorrentFile(file));
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const text = source.trim();
    if (!text) {
      setStatus({ kind: 'error', message: 'Paste a magnet link, an info-hash or a .torrent URL first.' });
      return;
    }
    void run(() => api.addSource(text));
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const transfer = event.dataTransfer;
    if (!transfer) return;
    if (transfer.files.length > 0) return addFile(transfer.files[0]);
    // A dragged magnet link or URL arrives as text.
    const text = (transfer.getData('text/uri-list') || transfer.getData('text/plain')).split('\n')[0]?.trim();
    if (text) {
      setSource(text);
      void run(() => api.addSource(text));
    }
  };

  const busy = status.kind === 'busy';
  return html`
    <section class="panel add" aria-labelledby="add-title">
      <h2 id="add-title">Add a torrent</h2>
      <form class="add-form" onSubmit=${onSubmit}>
        <label for="source" class="label">Magnet link, info-hash, or http(s) URL of a .torrent</label>
        <div class="row">
          <input
            id="source"
            name="source"
            type="text"
            inputmode="url"
            autocomplete="off"
            spellcheck=${false}
            placeholder="magnet:?xt=urn:btih:…"
            value=${source}
            onInput=${(e: Event) => setSource((e.currentTarget as HTMLInputElement).value)}
          />
          <button type="submit" class="primary" disabled=${busy}>${busy ? 'Adding…' : 'Add'}</button>
        </div>
      </form>
      <div
        class=${`drop${dragging ? ' dragging' : ''}`}
        onDragOver=${(e: DragEvent) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave=${() => setDragging(false)}
        onDrop=${onDrop}
      >
        <span>Drop a .torrent file here, or</span>
        <button type="button" class="secondary" disabled=${busy} onClick=${() => fileInput.current?.click()}>
          Choose a .torrent file…
        </button>
        <input
          ref=${fileInput}
          class="visually-hidden"
          type="file"
          accept=".torrent,application/x-bittorrent"
          aria-label="Choose a .torrent file"
          tabindex="-1"
          onChange=${(e: Event) => {
            const input = e.currentTarget as HTMLInputElement;
            addFile(input.files?.[0]);
            input.value = '';
          }}
        />
      </div>
      <p class="status" role="status" aria-live="polite">
        ${status.kind === 'added' ? html`Added <strong>${status.name}</strong>.` : ''}
      </p>
      ${status.kind === 'error' ? html`<p class="error" role="alert">${status.message}</p>` : null}
    </section>
  `;
}
