/**
 * Links to pass on: the file's original bytes for another player (VLC, mpv…) and the torrent's `.m3u`. They
 * come from the server, which puts a capability for this file in them when a token is set: whoever gets
 * them can play this, not reach the library, and never learns the token.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html } from '../html.js';
import type { ShareLinks } from '../types.js';

interface Props {
  infoHash: string;
  index: number;
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

export function ShareBox({ infoHash, index }: Props) {
  const [links, setLinks] = useState<ShareLinks | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    let live = true;
    setLinks(null);
    api.share(infoHash, index).then(
      (answer) => live && setLinks(answer),
      (err: Error) => live && setFailed(err.message),
    );
    return () => {
      live = false;
    };
  }, [infoHash, index]);
  const streamUrl = links?.streamUrl ?? '';
  return html`
    <div class="share">
      <label for="stream-url" class="label">Stream URL (for VLC, mpv…)</label>
      <div class="row">
        <input
          id="stream-url"
          type="text"
          readonly
          value=${streamUrl}
          placeholder=${failed ? '' : 'making a link…'}
          ref=${input}
          onFocus=${(e: FocusEvent) => (e.currentTarget as HTMLInputElement).select()}
        />
        <button
          type="button"
          class="secondary"
          disabled=${!links}
          onClick=${async () => setCopied((await copy(streamUrl, input.current)) ? 'Copied.' : 'Press Ctrl+C to copy.')}
        >
          Copy
        </button>
      </div>
      <p class="small" role="status" aria-live="polite">${failed ?? copied ?? ''}</p>
      ${links ? html`<a class="button small secondary" href=${links.playlistUrl}>Playlist of this torrent (.m3u)</a>` : null}
    </div>
  `;
}
