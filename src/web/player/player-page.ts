/** `/play/:infoHash/:index`: waits for the probe (showing why it waits), then the player. */
import { useEffect, useState } from 'preact/hooks';
import { resumePoint } from '../../catalog/resume-rule.js';
import { ApiError, api, token } from '../api.js';
import { browserCaps } from '../caps.js';
import { html } from '../html.js';
import { usePoll } from '../poll.js';
import type { Position, Probe } from '../types.js';
import { browserHls, mayUseHlsJs } from './engine.js';
import { loadHls } from './hls-loader.js';
import { Player } from './player.js';
import { StatusPanel } from './status-panel.js';

interface Props {
  infoHash: string;
  index: number;
}

export function PlayerPage({ infoHash, index }: Props) {
  const torrent = usePoll((signal) => api.get(infoHash, signal), 1000, `torrent-${infoHash}`);
  const [probe, setProbe] = useState<Probe | undefined>(undefined);
  const [probeError, setProbeError] = useState<Error | undefined>(undefined);
  const [attempt, setAttempt] = useState(0);
  // undefined while asked; null when there is none (or it could not be read).
  const [saved, setSaved] = useState<Position | null | undefined>(undefined);

  // hls.js (a chunk of its own) loads while the probe runs, where a remux or transcode would need it.
  useEffect(() => {
    if (mayUseHlsJs(browserHls())) void loadHls();
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    setProbeError(undefined);
    api.probe(infoHash, index, browserCaps(), controller.signal).then(
      (value) => setProbe(value),
      (err: Error) => controller.signal.aborted || setProbeError(err),
    );
    return () => controller.abort();
  }, [infoHash, index, attempt]);

  useEffect(() => {
    const controller = new AbortController();
    api.position(infoHash, index, controller.signal).then(
      (value) => setSaved(value),
      () => controller.signal.aborted || setSaved(null),
    );
    return () => controller.abort();
  }, [infoHash, index]);

  const file = torrent.data?.files.find((f) => f.index === index);
  const resumeAt =
    saved === undefined || !probe
      ? undefined
      : saved && resumePoint(saved.seconds, probe.duration ?? saved.duration ?? undefined);
  const unknown = torrent.error instanceof ApiError && torrent.error.status === 404;
  const title = file?.name ?? torrent.data?.name ?? (unknown ? 'Unknown torrent' : 'Loading…');

  useEffect(() => {
    document.title = `${file?.name ?? torrent.data?.name ?? 'Player'} · streamtide`;
  }, [file?.name, torrent.data?.name]);

  return html`
    <main class="page player-page">
      <nav class="crumbs"><a href=${token ? `/?token=${encodeURIComponent(token)}` : '/'}>← All torrents</a></nav>
      <h1 class="title">${title}</h1>
      ${torrent.data && file?.path && file.path !== file.name ? html`<p class="muted small">${file.path}</p>` : null}
      ${unknown ? html`<p class="error" role="alert">This torrent is not on the server (was it removed?).</p>` : null}
      ${torrent.error && !unknown ? html`<p class="error" role="alert">${torrent.error.message}</p>` : null}
      ${
        probeError && !unknown
          ? html`<div class="error" role="alert">
              <p>Cannot play this file: ${probeError.message}</p>
              <button type="button" class="secondary" onClick=${() => setAttempt(attempt + 1)}>Try again</button>
            </div>`
          : null
      }
      ${
        probe
          ? html`<${Player} infoHash=${infoHash} index=${index} probe=${probe} torrent=${torrent.data}
              file=${file} resumeAt=${resumeAt} />`
          : probeError
            ? null
            : html`<div class="panel waiting" role="status" aria-live="polite">
                <p><span class="spinner" aria-hidden="true"></span> Reading the media information…</p>
                <${StatusPanel} torrent=${torrent.data} file=${file} plan=${undefined} mode=${undefined} />
              </div>`
      }
    </main>
  `;
}
