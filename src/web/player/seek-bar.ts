/**
 * The seek bar for remux/transcode streams: a native range input (keyboard and screen-reader friendly) over
 * the probe's full duration, with the buffered span and the downloaded pieces drawn behind it.
 */
import { useState } from 'preact/hooks';
import { formatClock } from '../format.js';
import { html } from '../html.js';

interface Props {
  duration: number;
  /** Source time shown when the user is not dragging. */
  value: number;
  /** Buffered spans in source seconds. */
  buffered: Array<[number, number]>;
  /** Downloaded parts of the file as fractions 0..1 (byte position ≈ time position). */
  downloaded: Array<[number, number]>;
  onPreview: (seconds: number | null) => void;
  onSeek: (seconds: number) => void;
}

function Segments({ spans, className }: { spans: Array<[number, number]>; className: string }) {
  return html`${spans.map(
    ([from, to]) =>
      html`<span class=${className} style=${{ left: `${from * 100}%`, width: `${Math.max(0, to - from) * 100}%` }}></span>`,
  )}`;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export function SeekBar({ duration, value, buffered, downloaded, onPreview, onSeek }: Props) {
  const [drag, setDrag] = useState<number | null>(null);
  const known = Number.isFinite(duration) && duration > 0;
  const shown = drag ?? value;
  const bufferedFractions = known
    ? buffered.map(([a, b]) => [clamp01(a / duration), clamp01(b / duration)] as [number, number])
    : [];
  const played = known ? clamp01(shown / duration) : 0;

  const read = (event: Event) => Number((event.currentTarget as HTMLInputElement).value);
  return html`
    <div class="seek">
      <div class="seek-track" aria-hidden="true">
        <${Segments} spans=${downloaded} className="seek-downloaded" />
        <${Segments} spans=${bufferedFractions} className="seek-buffered" />
        <span class="seek-played" style=${{ width: `${played * 100}%` }}></span>
      </div>
      <input
        class="seek-input"
        type="range"
        min="0"
        max=${known ? duration : 0}
        step="0.1"
        value=${shown}
        disabled=${!known}
        aria-label="Seek"
        aria-valuetext=${known ? `${formatClock(shown)} of ${formatClock(duration)}` : 'duration unknown'}
        onInput=${(e: Event) => {
          const seconds = read(e);
          setDrag(seconds);
          onPreview(seconds);
        }}
        onChange=${(e: Event) => {
          setDrag(null);
          onPreview(null);
          onSeek(read(e));
        }}
      />
    </div>
  `;
}
