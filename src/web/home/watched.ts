/** How far a file was watched, from its saved play position: a thin bar and "12:34 of 1:45:00", or "Watched". */
import { resumePoint, watchedToEnd } from '../../catalog/resume-rule.js';
import { formatClock } from '../format.js';
import { html } from '../html.js';
import type { TorrentFile } from '../types.js';

export function Watched({ file }: { file: TorrentFile }) {
  const position = file.position;
  if (!position?.updatedAt) return null;
  const { seconds, duration } = position;
  if (watchedToEnd(seconds, duration)) return html`<span class="watched is-done">Watched</span>`;
  // A few seconds in is not worth showing: it starts over anyway.
  if (resumePoint(seconds, duration) === null) return null;
  return html`
    <span class="watched">
      ${
        duration
          ? html`<progress class="bar watched-bar" max=${duration} value=${seconds}
              aria-label=${`Watched of ${file.name}`}></progress>`
          : null
      }
      <span class="watched-text">${formatClock(seconds)}${duration ? ` of ${formatClock(duration)}` : ' watched'}</span>
    </span>
  `;
}
