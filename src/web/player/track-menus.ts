/** Audio and subtitle pickers, built from the probe. */
import { html } from '../html.js';
import type { Choice } from './tracks.js';

interface MenuProps {
  id: string;
  label: string;
  choices: Choice[];
  value: string;
  onChange: (value: string) => void;
}

function Menu({ id, label, choices, value, onChange }: MenuProps) {
  return html`
    <div class="menu">
      <label for=${id} class="label">${label}</label>
      <select id=${id} value=${value} onChange=${(e: Event) => onChange((e.currentTarget as HTMLSelectElement).value)}>
        ${choices.map((c) => html`<option key=${c.value} value=${c.value} disabled=${c.disabled}>${c.label}</option>`)}
      </select>
    </div>
  `;
}

interface Props {
  audio: Choice[];
  audioValue: string;
  subtitles: Choice[];
  subtitleValue: string;
  onAudio: (value: string) => void;
  onSubtitle: (value: string) => void;
}

export function TrackMenus(props: Props) {
  return html`
    <div class="menus">
      ${
        props.audio.length > 1
          ? html`<${Menu} id="audio-menu" label="Audio" choices=${props.audio} value=${props.audioValue}
              onChange=${props.onAudio} />`
          : null
      }
      ${
        props.subtitles.length > 1
          ? html`<${Menu} id="subtitle-menu" label="Subtitles" choices=${props.subtitles} value=${props.subtitleValue}
              onChange=${props.onSubtitle} />`
          : html`<p class="muted small">No subtitles found.</p>`
      }
    </div>
  `;
}
