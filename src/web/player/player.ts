/** The player: the video with its controls, track menus, download status and share links. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { token } from '../api.js';
import { html } from '../html.js';
import type { Probe, Torrent, TorrentFile } from '../types.js';
import { coverUrl, embeddedSubtitleUrl, subtitleFileUrl } from '../urls.js';
import { Controls } from './controls.js';
import { diagnoseStream } from './diagnose.js';
import { useFreezeFrame } from './freeze-frame.js';
import { useFullscreen } from './fullscreen.js';
import { useIdle, useTapWakes } from './idle.js';
import { useShortcuts } from './keyboard.js';
import { Overlay } from './overlay.js';
import { usePlayback } from './playback.js';
import { useSavePosition } from './position-saver.js';
import { ResumeOffer, useResumeOffer } from './resume-offer.js';
import { ShareBox } from './share-box.js';
import { downloadedFractions, StatusPanel } from './status-panel.js';
import { useSubtitleTrack } from './subtitle-track.js';
import { TrackMenus } from './track-menus.js';
import {
  audioChoices,
  parseSubtitleValue,
  type SubtitleChoice,
  subtitleChoices,
  subtitleLanguage,
  subtitleValue,
} from './tracks.js';
import { useRememberedVolume } from './volume.js';

interface Props {
  infoHash: string;
  index: number;
  probe: Probe;
  torrent: Torrent | undefined;
  file: TorrentFile | undefined;
  /** Where it stopped last time, worth offering; null: nothing to offer; undefined: not known yet. */
  resumeAt: number | null | undefined;
}

export function Player({ infoHash, index, probe, torrent, file, resumeAt }: Props) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const frame = useFreezeFrame(videoRef);
  const p = usePlayback(videoRef, infoHash, index, probe, file, frame.freeze);
  const resume = useResumeOffer(videoRef, p.direct, resumeAt, p.seek);
  // Until the offer is answered, the position it offers stays saved: opening the page loses nothing.
  useSavePosition(infoHash, index, p, resumeAt !== undefined && resume.offer === null);
  const fullscreen = useFullscreen(stageRef, videoRef);
  const idle = useIdle(fullscreen.active && !p.video.paused);
  const tap = useTapWakes(idle);
  useRememberedVolume(videoRef);
  const [subtitle, setSubtitle] = useState<SubtitleChoice>({ kind: 'off' });
  const [failure, setFailure] = useState<string | null>(null);
  const [subtitleFailed, setSubtitleFailed] = useState(false);

  useShortcuts({
    togglePlay: p.togglePlay,
    skip: resume.seeking(p.skip),
    toggleFullscreen: fullscreen.toggle,
    toggleMute: p.toggleMute,
    nudgeVolume: p.nudgeVolume,
  });

  // The cues must line up with the stream's own clock, which starts at 0 at source time `start` (0 but for
  // the progressive stream: HLS and direct play run on the file's own clock).
  const trackUrl =
    subtitle.kind === 'embedded'
      ? embeddedSubtitleUrl(infoHash, index, subtitle.stream, p.start, token)
      : subtitle.kind === 'file'
        ? subtitleFileUrl(infoHash, subtitle.fileIndex, p.start, token)
        : null;

  useSubtitleTrack(videoRef, trackUrl, subtitleLanguage(probe, subtitle), setSubtitleFailed);

  useEffect(() => {
    setFailure(null);
    // The element's own error, for the source it has now (hls.js reports its errors itself).
    const code = videoRef.current?.error?.code;
    if (!p.video.errorCode || !code || !p.src) return;
    let live = true;
    void diagnoseStream(p.src, code).then((message) => live && setFailure(message));
    return () => {
      live = false;
    };
  }, [p.video.errorCode, p.src]);

  // Music: the <video> shows the cover picture while the audio plays.
  const poster = probe.streams.some((s) => s.attachedPic) ? coverUrl(infoHash, index, token) : undefined;
  const shownFailure = failure ?? p.failure;
  const waiting = p.video.waiting && !p.video.paused && !shownFailure;
  // The progressive stream is the fallback of HLS and the only way to force a mode.
  const retry =
    p.engine !== 'progressive' && p.mode === 'transcode'
      ? 'Try again without HLS'
      : p.mode !== 'transcode'
        ? 'Try again with transcoding'
        : null;
  return html`
    <div class="player">
      <div class=${`stage${fullscreen.active ? ' is-fullscreen' : ''}${idle ? ' is-idle' : ''}`} ref=${stageRef}>
        <div class="screen">
          <video
            ref=${videoRef}
            playsinline
            preload="auto"
            poster=${poster}
            controls=${p.direct}
            aria-label=${file?.name ?? 'Video'}
            data-mode=${p.mode}
            data-engine=${p.engine}
            onPointerDown=${tap.onPointerDown}
            onClick=${p.direct ? undefined : tap.click(p.togglePlay)}
          ></video>
          <canvas ref=${frame.canvas} class="freeze-frame" hidden aria-hidden="true"></canvas>
          <${Overlay}
            waiting=${waiting}
            needsClick=${p.needsClick}
            autoMuted=${p.autoMuted}
            torrent=${torrent}
            onPlay=${p.togglePlay}
            onUnmute=${p.toggleMute}
          />
          ${resume.offer === null ? null : html`<${ResumeOffer} at=${resume.offer} duration=${p.duration} onChoose=${resume.choose} />`}
        </div>
        ${
          p.direct
            ? null
            : html`<${Controls}
                paused=${p.video.paused}
                muted=${p.video.muted}
                volume=${p.video.volume}
                fullscreen=${fullscreen.active}
                time=${p.time}
                duration=${p.duration}
                buffered=${p.video.buffered.map(([a, b]) => [a + p.start, b + p.start])}
                downloaded=${downloadedFractions(file)}
                onTogglePlay=${p.togglePlay}
                onToggleMute=${p.toggleMute}
                onVolume=${p.setVolume}
                onToggleFullscreen=${fullscreen.toggle}
                onPreview=${p.setPreview}
                onSeek=${resume.seeking(p.seek)}
              />`
        }
      </div>
      ${
        p.fallback
          ? html`<p class="muted small" role="status" data-testid="hls-fallback">
              HLS did not play here (${p.fallback}): playing the progressive stream instead.</p>`
          : null
      }
      ${
        shownFailure
          ? html`<div class="error" role="alert">
              <p>${shownFailure}</p>
              ${
                retry
                  ? html`<button type="button" class="secondary" onClick=${() => p.forceMode('transcode')}>
                      ${retry}</button>`
                  : null
              }
            </div>`
          : null
      }
      <div class="player-panels">
        <section class="panel" aria-label="Tracks">
          <${TrackMenus}
            audio=${audioChoices(probe)}
            audioValue=${String(p.audio)}
            subtitles=${subtitleChoices(probe)}
            subtitleValue=${subtitleValue(subtitle)}
            onAudio=${(value: string) => p.chooseAudio(Number(value))}
            onSubtitle=${(value: string) => {
              setSubtitleFailed(false);
              setSubtitle(parseSubtitleValue(value));
            }}
          />
          ${subtitleFailed ? html`<p class="error small" role="alert">These subtitles could not be loaded.</p>` : null}
          <p class="muted small">Keys: space play/pause · ←/→ 10 s · ↑/↓ volume · f fullscreen · m mute</p>
        </section>
        <section class="panel" aria-label="Download status">
          <${StatusPanel} torrent=${torrent} file=${file} plan=${probe.plan} mode=${p.mode}
            container=${probe.container} engine=${p.engine} />
        </section>
        <section class="panel" aria-label="Share">
          <${ShareBox} infoHash=${infoHash} index=${index} />
        </section>
      </div>
    </div>
  `;
}
