/**
 * The playback state machine. A direct file plays natively and seeks by `currentTime`. A remux/transcode
 * stream is a live fMP4 whose time starts at 0 wherever it starts in the source, so a seek outside what is
 * buffered reloads `src` with `t=` and source time is `start + currentTime`.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { token } from '../api.js';
import { browserCaps } from '../caps.js';
import type { Plan, Probe } from '../types.js';
import { streamUrl } from '../urls.js';
import { defaultAudio } from './tracks.js';
import { useVideoState, type VideoState } from './video-state.js';
import { clampVolume } from './volume.js';

export interface Playback {
  video: VideoState;
  mode: Plan;
  direct: boolean;
  src: string;
  /** Source time where the current `src` starts (0 for direct play). */
  start: number;
  /** Source time now, or the target being chosen on the seek bar / by repeated arrow keys. */
  time: number;
  duration: number;
  audio: number;
  autoMuted: boolean;
  needsClick: boolean;
  setPreview: (seconds: number | null) => void;
  seek: (seconds: number) => void;
  skip: (delta: number) => void;
  togglePlay: () => void;
  toggleMute: () => void;
  /** Sets the volume (0..1); 0 mutes, anything else unmutes. */
  setVolume: (volume: number) => void;
  /** Up or down from what the element has now (not from rendered state, which lags fast key repeats). */
  nudgeVolume: (delta: number) => void;
  chooseAudio: (n: number) => void;
  forceMode: (mode: Plan) => void;
}

const inRanges = (ranges: TimeRanges, t: number) => {
  for (let i = 0; i < ranges.length; i++) if (t >= ranges.start(i) && t < ranges.end(i) - 0.5) return true;
  return false;
};

export function usePlayback(
  ref: RefObject<HTMLVideoElement | null>,
  infoHash: string,
  index: number,
  probe: Probe,
  /** Called just before a new stream replaces the current one (to keep its last frame on screen). */
  beforeReload: () => void = () => {},
) {
  const video = useVideoState(ref);
  const [start, setStart] = useState(0);
  const [audio, setAudio] = useState<number | null>(null);
  const [forced, setForced] = useState<Plan | null>(null);
  const [preview, setPreview] = useState<number | null>(null);
  const [autoMuted, setAutoMuted] = useState(false);
  const [needsClick, setNeedsClick] = useState(false);
  // The user's intent: play unless they paused. Survives reloads, unlike `video.paused`.
  const wantPlay = useRef(true);
  const resumeAt = useRef<number | null>(null);
  const skipTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // Another audio track of a direct file needs FFmpeg; remux keeps the video as it is.
  const mode: Plan = forced ?? (probe.plan === 'direct' && audio !== null ? 'remux' : probe.plan);
  const direct = mode === 'direct';
  const explicitMode = forced ?? (probe.plan === 'direct' && !direct ? 'remux' : undefined);
  const src = streamUrl(infoHash, index, {
    t: direct ? undefined : start,
    audio,
    mode: explicitMode,
    caps: browserCaps(),
    token,
  });
  const duration =
    probe.duration && probe.duration > 0 ? probe.duration : direct ? video.duration : Number.NaN;
  const offset = direct ? 0 : start;
  const now = offset + video.currentTime;

  const latest = useRef({ start, direct, duration, now });
  latest.current = { start, direct, duration, now };

  const tryPlay = () => {
    const v = ref.current;
    if (!v) return;
    v.play().then(
      () => setNeedsClick(false),
      (err: DOMException) => {
        // AbortError: a newer load replaced this one, which plays in its turn.
        if (err.name !== 'NotAllowedError') return;
        if (v.muted) return setNeedsClick(true);
        // Autoplay with sound is blocked until the user interacts: play muted and offer Unmute.
        v.muted = true;
        setAutoMuted(true);
        v.play().catch((again: DOMException) => again.name === 'NotAllowedError' && setNeedsClick(true));
      },
    );
  };

  // A new src (first load, seek, audio change) plays if the user wants playback.
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    const onMeta = () => {
      if (resumeAt.current !== null && latest.current.direct) v.currentTime = resumeAt.current;
      resumeAt.current = null;
    };
    v.addEventListener('loadedmetadata', onMeta, { once: true });
    if (wantPlay.current) tryPlay();
    return () => v.removeEventListener('loadedmetadata', onMeta);
  }, [src]);

  useEffect(() => () => clearTimeout(skipTimer.current), []);

  const seek = (target: number) => {
    const v = ref.current;
    if (!v) return;
    const { start: from, direct: isDirect, duration: length } = latest.current;
    const max = Number.isFinite(length) && length > 0 ? Math.max(0, length - 1) : Number.POSITIVE_INFINITY;
    const t = Math.min(max, Math.max(0, target));
    if (isDirect) {
      v.currentTime = t;
      return;
    }
    // Inside what this stream already buffered: no need to restart FFmpeg.
    if (t >= from && inRanges(v.buffered, t - from)) {
      v.currentTime = t - from;
      return;
    }
    beforeReload();
    if (t === from) {
      v.load();
      if (wantPlay.current) tryPlay();
    } else setStart(t);
  };

  const skip = (delta: number) => {
    const { direct: isDirect, now: current } = latest.current;
    if (isDirect) return seek(current + delta);
    // Repeated presses add up before one reload, instead of restarting FFmpeg for every press.
    const target = Math.max(0, (preview ?? current) + delta);
    setPreview(target);
    clearTimeout(skipTimer.current);
    skipTimer.current = setTimeout(() => {
      setPreview(null);
      seek(target);
    }, 400);
  };

  const togglePlay = () => {
    const v = ref.current;
    if (!v) return;
    if (v.ended && !latest.current.direct) {
      // A finished stream replays from the beginning of the source, not from where this stream started.
      wantPlay.current = true;
      seek(0);
    } else if (v.paused || v.ended) {
      wantPlay.current = true;
      tryPlay();
    } else {
      wantPlay.current = false;
      v.pause();
    }
  };

  const toggleMute = () => {
    const v = ref.current;
    if (!v) return;
    v.muted = !v.muted;
    setAutoMuted(false);
  };

  const setVolume = (volume: number) => {
    const v = ref.current;
    if (!v) return;
    const level = clampVolume(volume);
    // 0 is Mute, keeping the level: Unmute (and the next video) come back to it rather than to silence.
    if (level > 0) v.volume = level;
    v.muted = level === 0;
    setAutoMuted(false);
  };

  const nudgeVolume = (delta: number) => {
    const v = ref.current;
    if (v) setVolume((v.muted ? 0 : v.volume) + delta);
  };

  /** Reloads at the current source time with another audio track (or the default one). */
  const chooseAudio = (n: number) => {
    const isDefault = n === defaultAudio(probe);
    const next = probe.plan === 'direct' && isDefault ? null : n;
    if (next === audio) return;
    const at = latest.current.now;
    beforeReload();
    if (probe.plan === 'direct' && next === null) resumeAt.current = at;
    else setStart(at);
    setAudio(next);
  };

  const forceMode = (next: Plan) => {
    beforeReload();
    setStart(latest.current.now);
    setForced(next);
  };

  return {
    video,
    mode,
    direct,
    src,
    start: offset,
    time: preview ?? now,
    duration,
    audio: audio ?? defaultAudio(probe),
    autoMuted: autoMuted && video.muted,
    needsClick,
    setPreview,
    seek,
    skip,
    togglePlay,
    toggleMute,
    setVolume,
    nudgeVolume,
    chooseAudio,
    forceMode,
  } satisfies Playback;
}
