/** Confirming a removal, with the choice to delete the downloaded data too. Inline, not a modal. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html } from '../html.js';
import type { Torrent } from '../types.js';

interface Props {
  torrent: Torrent;
  onCancel: () => void;
  onRemoved: () => void;
}

export function RemoveConfirm({ torrent, onCancel, onRemoved }: Props) {
  const [deleteFiles, setDeleteFiles] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const checkboxId = `delete-${torrent.infoHash}`;

  // Focus the safe choice first.
  useEffect(() => cancelButton.current?.focus(), []);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.remove(torrent.infoHash, deleteFiles);
      onRemoved();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return html`
    <div
      class="confirm"
      role="group"
      aria-label=${`Remove ${torrent.name}`}
      onKeyDown=${(e: KeyboardEvent) => e.key === 'Escape' && onCancel()}
    >
      <p>Remove <strong>${torrent.name || torrent.infoHash}</strong> from the list?</p>
      <label class="check">
        <input
          id=${checkboxId}
          type="checkbox"
          checked=${deleteFiles}
          onChange=${(e: Event) => setDeleteFiles((e.currentTarget as HTMLInputElement).checked)}
        />
        Also delete the downloaded data
      </label>
      <div class="row">
        <button type="button" class="danger" disabled=${busy} onClick=${confirm}>${busy ? 'Removing…' : 'Remove'}</button>
        <button type="button" class="secondary" ref=${cancelButton} disabled=${busy} onClick=${onCancel}>Cancel</button>
      </div>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    </div>
  `;
}
