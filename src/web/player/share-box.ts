/** The absolute stream URL to paste into another player, and the torrent's `.m3u` playlist. */
import { useRef, useState } from 'preact/hooks';
import { html } from '../html.js';

interface Props {
  streamUrl: string;
  playlistUrl: string;
}

async function copy(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (plain http on a LAN address): select the text so the user can copy it.
    input?.select();
    return false;
  }
}

export function ShareBox({ streamUrl, playlistUrl }: Props) {
  const [copied, setCopied] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  return html`
    <div class="share">
      <label for="stream-url" class="label">Stream URL (for VLC, mpv…)</label>
      <div class="row">
        <input
          id="stream-url"
          type="text"
          readonly
          value=${streamUrl}
          ref=${input}
          onFocus=${(e: FocusEvent) => (e.currentTarget as HTMLInputElement).select()}
        />
        <button
          type="button"
          class="secondary"
          onClick=${async () => setCopied((await copy(streamUrl, input.current)) ? 'Copied.' : 'Press Ctrl+C to copy.')}
        >
          Copy
        </button>
      </div>
      <p class="small" role="status" aria-live="polite">${copied ?? ''}</p>
      <a class="button small secondary" href=${playlistUrl}>Playlist of this torrent (.m3u)</a>
    </div>
  `;
}
