/** A torrent's files: playable media first with Play links; the rest folded away. */
import { token } from '../api.js';
import { isPlayable, sortFiles } from '../files.js';
import { formatBytes, formatPercent, plural } from '../format.js';
import { html } from '../html.js';
import type { Torrent, TorrentFile } from '../types.js';
import { playerPath } from '../urls.js';
import { Watched } from './watched.js';

function FileRow({ infoHash, file }: { infoHash: string; file: TorrentFile }) {
  const playable = isPlayable(file);
  return html`
    <li class="file">
      <span class="file-main">
        <span class="file-name" title=${file.path}>${file.path}</span>
        <${Watched} file=${file} />
      </span>
      <span class="file-meta">${formatBytes(file.length)} · ${formatPercent(file.progress)}</span>
      ${
        playable
          ? html`<a class="button small primary" href=${playerPath(infoHash, file.index, token)}
              aria-label=${`Play ${file.name}`}>Play</a>`
          : null
      }
    </li>
  `;
}

export function FileList({ torrent }: { torrent: Torrent }) {
  if (!torrent.ready)
    return html`<p class="muted">Fetching metadata… the file list appears once it arrives.</p>`;
  const files = sortFiles(torrent.files);
  const media = files.filter(isPlayable);
  const others = files.filter((file) => !isPlayable(file));
  return html`
    <div class="files">
      ${
        media.length > 0
          ? html`<ul class="file-list" aria-label=${`Media files of ${torrent.name}`}>
              ${media.map((file) => html`<${FileRow} key=${file.index} infoHash=${torrent.infoHash} file=${file} />`)}
            </ul>`
          : html`<p class="muted">No video or audio files in this torrent.</p>`
      }
      ${
        others.length > 0
          ? html`<details class="other-files">
              <summary>${plural(others.length, 'other file')}</summary>
              <ul class="file-list">
                ${others.map((file) => html`<${FileRow} key=${file.index} infoHash=${torrent.infoHash} file=${file} />`)}
              </ul>
            </details>`
          : null
      }
    </div>
  `;
}
