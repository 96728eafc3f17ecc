/** Custom controls for remux/transcode streams, whose `<video>` knows neither the full duration nor source time. */
import { formatClock } from '../format.js';
import { html } from '../html.js';
import { Icon } from './icons.js';
import { SeekBar } from './seek-bar.js';

interface Props {
  paused: boolean;
  muted: boolean;
  volume: number;
  fullscreen: boolean;
  /** Source time now. */
  time: number;
  duration: number;
  buffered: Array<[number, number]>;
  downloaded: Array<[number, number]>;
  onTogglePlay: () => void;
  onToggleMute: () => void;
  onVolume: (volume: number) => void;
  onToggleFullscreen: () => void;
  onPreview: (seconds: number | null) => void;
  onSeek: (seconds: number) => void;
}

export function Controls(props: Props) {
  const known = Number.isFinite(props.duration) && props.duration > 0;
  return html`
    <div class="controls">
      <${SeekBar}
        duration=${props.duration}
        value=${props.time}
        buffered=${props.buffered}
        downloaded=${props.downloaded}
        onPreview=${props.onPreview}
        onSeek=${props.onSeek}
      />
      <div class="controls-row">
        <button type="button" class="icon" onClick=${props.onTogglePlay} aria-label=${props.paused ? 'Play' : 'Pause'}
          title=${props.paused ? 'Play (space)' : 'Pause (space)'}>
          <${Icon} name=${props.paused ? 'play' : 'pause'} />
        </button>
        <button type="button" class="icon" onClick=${() => props.onSeek(Math.max(0, props.time - 10))}
          aria-label="Back 10 seconds" title="Back 10 s (←)"><${Icon} name="back" /></button>
        <button type="button" class="icon" onClick=${() => props.onSeek(props.time + 10)}
          aria-label="Forward 10 seconds" title="Forward 10 s (→)"><${Icon} name="forward" /></button>
        <span class="clock" data-testid="clock">
          ${formatClock(props.time)}${known ? html`<span class="muted"> / ${formatClock(props.duration)}</span>` : null}
        </span>
        <span class="spacer"></span>
        <button type="button" class="icon" onClick=${props.onToggleMute} aria-pressed=${props.muted}
          aria-label="Mute" title="Mute (m)"><${Icon} name=${props.muted ? 'muted' : 'volume'} /></button>
        <input class="volume" type="range" min="0" max="1" step="0.05" value=${props.muted ? 0 : props.volume}
          aria-label="Volume" title="Volume (↑/↓)" aria-valuetext=${`${Math.round((props.muted ? 0 : props.volume) * 100)}%`}
          onInput=${(e: Event) => props.onVolume(Number((e.currentTarget as HTMLInputElement).value))} />
        <button type="button" class="icon" onClick=${props.onToggleFullscreen} aria-pressed=${props.fullscreen}
          aria-label="Fullscreen" title="Fullscreen (f)"><${Icon} name="fullscreen" /></button>
      </div>
    </div>
  `;
}
