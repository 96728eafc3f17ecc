/**
 * The playback state machine. The engine (engine.ts) says how the file plays. Direct play and HLS seek by
 * `currentTime`, which is the file's time. The progressive stream is a live fMP4 whose time starts at 0
 * wherever it starts in the source, so a seek outside what it buffered reloads `src` with `t=`, and source
 * time is `start + currentTime`.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { token } from '../api.js';
import { browserCaps } from '../caps.js';
import type { Plan, Probe, TorrentFile } from '../types.js';
import { hlsUrl, streamUrl } from '../urls.js';
import { useAutoplay } from './autoplay.js';
import { type Engine, seeksInPlace } from './engine.js';
import { useHlsJs } from './hls-playback.js';
import { useStreamStart } from './stream-start.js';
import { defaultAudio } from './tracks.js';
import { useEngine } from './use-engine.js';
import { useVideoSource } from './video-source.js';
import { useVideoState, type VideoState } from './video-state.js';
import { useVolumeControls } from './volume.js';

export interface Playback {
  video: VideoState;
  mode: Plan;
  engine: Engine;
  direct: boolean;
  /** The element's URL; undefined while hls.js feeds it (or before the engine is known). */
  src: string | undefined;
  /** Source time where the current `src` starts (0 but for the progressive stream). */
  start: number;
  /** Source time now, or the target being chosen on the seek bar / by repeated arrow keys. */
  time: number;
  duration: number;
  audio: number;
  autoMuted: boolean;
  needsClick: boolean;
  /** hls.js failed while playing (its own words; the element's errors are diagnosed by the player). */
  failure: string | null;
  /** Why HLS gave way to the progressive stream, or null. */
  fallback: string | null;
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
  file: TorrentFile | undefined,
  /** Called just before a new stream replaces the current one (to keep its last frame on screen). */
  beforeReload: () => void = () => {},
): Playback {
  const video = useVideoState(ref);
  const [start, setStart] = useState(0);
  const [audio, setAudio] = useState<number | null>(null);
  const [forced, setForced] = useState<Plan | null>(null);
  const [preview, setPreview] = useState<number | null>(null);
  const play = useAutoplay(ref);
  const volume = useVolumeControls(ref, play.clearAutoMuted);
  // Where an in-place engine's new source resumes (an audio change), once it has metadata.
  const resumeAt = useRef<number | null>(null);
  const skipTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // Another audio track of a direct file needs FFmpeg; remux keeps the video as it is.
  const mode: Plan = forced ?? (probe.plan === 'direct' && audio !== null ? 'remux' : probe.plan);
  const choice = useEngine(ref, mode, forced !== null, () => {
    beforeReload();
    // Where HLS was to start, or where the viewer seeked while it failed to.
    setStart(resumeAt.current ?? ref.current?.currentTime ?? 0);
    resumeAt.current = null;
  });
  const { engine } = choice;
  const direct = engine === 'direct';
  const inPlace = seeksInPlace(engine);
  const caps = browserCaps();
  const explicitMode = forced ?? (probe.plan === 'direct' && !direct ? 'remux' : undefined);
  const stream = streamUrl(infoHash, index, {
    t: inPlace ? undefined : start,
    audio,
    mode: explicitMode,
    caps,
    token,
  });
  // hls.js switches audio renditions itself; the browser's HLS reloads with that rendition the default one.
  const native = engine === 'native-hls';
  const playlist = hlsUrl(infoHash, index, {
    audio: native ? audio : null,
    caps,
    token,
    given: file?.hlsUrl,
  });
  const src = direct || engine === 'progressive' ? stream : native ? playlist : undefined;
  useVideoSource(ref, src);
  const failure = useHlsJs(ref, choice.Hls, playlist, audio, resumeAt, choice.fallBack);
  const source = src ?? (choice.Hls ? playlist : null);

  const duration =
    probe.duration && probe.duration > 0 ? probe.duration : inPlace ? video.duration : Number.NaN;
  const streamStart = useStreamStart(stream, start, engine === 'progressive' && !direct);
  const offset = inPlace ? 0 : streamStart;
  const now = offset + video.currentTime;

  const latest = useRef({ start: offset, inPlace, duration, now });
  latest.current = { start: offset, inPlace, duration, now };

  // A new source (first load, seek, audio change) plays if the user wants playback.
  useEffect(() => {
    const v = ref.current;
    if (!v || source === null) return;
    const onMeta = () => {
      const at = resumeAt.current;
      if (at !== null && latest.current.inPlace && Math.abs(v.currentTime - at) > 0.5) v.currentTime = at;
      resumeAt.current = null;
    };
    v.addEventListener('loadedmetadata', onMeta, { once: true });
    if (play.wanted.current) play.tryPlay();
    return () => v.removeEventListener('loadedmetadata', onMeta);
  }, [source]);

  useEffect(() => () => clearTimeout(skipTimer.current), []);

  const seek = (target: number) => {
    const v = ref.current;
    if (!v) return;
    const { start: from, inPlace: here, duration: length } = latest.current;
    const max = Number.isFinite(length) && length > 0 ? Math.max(0, length - 1) : Number.POSITIVE_INFINITY;
    const t = Math.min(max, Math.max(0, target));
    // HLS fetches the segment at t itself; inside what a progressive stream buffered, no need to restart FFmpeg.
    if (here || (t >= from && inRanges(v.buffered, t - from))) {
      v.currentTime = t - (here ? 0 : from);
      return;
    }
    beforeReload();
    if (t === from) {
      v.load();
      if (play.wanted.current) play.tryPlay();
    } else setStart(t);
  };

  const skip = (delta: number) => {
    const v = ref.current;
    const { start: from, inPlace: here, now: current } = latest.current;
    const target = Math.max(0, (preview ?? current) + delta);
    // Buffered (or direct): at once. Elsewhere, repeated presses add up before one request, instead of one
    // restart of FFmpeg (or one segment) per press.
    if (preview === null && v && (direct || inRanges(v.buffered, target - (here ? 0 : from))))
      return seek(target);
    setPreview(target);
    clearTimeout(skipTimer.current);
    skipTimer.current = setTimeout(() => {
      setPreview(null);
      seek(target);
    }, 400);
  };

  const togglePlay = () => {
    const v = ref.current;
    if (v?.ended && !latest.current.inPlace) {
      // A finished stream replays from the beginning of the source, not from where this stream started.
      play.wanted.current = true;
      seek(0);
    } else play.toggle();
  };

  /** Switches to another audio track (or the default one) at the current source time. */
  const chooseAudio = (n: number) => {
    const isDefault = n === defaultAudio(probe);
    const next = probe.plan === 'direct' && isDefault ? null : n;
    if (next === audio) return;
    const at = latest.current.now;
    const nextMode = forced ?? (probe.plan === 'direct' && next !== null ? 'remux' : probe.plan);
    const nextEngine = choice.engineFor(nextMode);
    setAudio(next);
    if (engine === 'hls.js' && nextEngine === 'hls.js') return; // hls.audioTrack, no reload
    beforeReload();
    if (seeksInPlace(nextEngine)) resumeAt.current = at;
    else setStart(at);
  };

  const forceMode = (next: Plan) => {
    beforeReload();
    setStart(latest.current.now);
    setForced(next);
  };

  return {
    video,
    mode,
    engine,
    direct,
    src,
    start: offset,
    time: preview ?? now,
    duration,
    audio: audio ?? defaultAudio(probe),
    autoMuted: play.autoMuted && video.muted,
    needsClick: play.needsClick,
    failure,
    fallback: choice.fallback,
    setPreview,
    seek,
    skip,
    togglePlay,
    ...volume,
    chooseAudio,
    forceMode,
  };
}
