/**
 * One hls.js player on the `<video>` while the engine is hls.js: it attaches, loads the multivariant playlist
 * (starting at `startAt` when a reload resumes somewhere), follows the audio choice through `hls.audioTrack`
 * (no reload), and is destroyed when the engine, the file or the page changes, so no segment request outlives
 * it. A fatal error before the first frame hands over to the progressive stream (`onFallback`); after it, it
 * is the player's failure (a media error gets one recovery first).
 */
import type { RefObject } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Hls } from './hls-loader.js';

/**
 * A segment is cut by FFmpeg from a torrent that may still be fetching it: its first byte can take long, and a
 * timeout that retries would only restart that work. The playlists wait for the file's keyframe index.
 */
const patient = (errorRetries: number) => ({
  default: {
    maxTimeToFirstByteMs: Number.POSITIVE_INFINITY,
    maxLoadTimeMs: 300_000,
    timeoutRetry: { maxNumRetry: 1, retryDelayMs: 0, maxRetryDelayMs: 0 },
    // hls.js retries 5xx (a busy 503 among them), never 4xx.
    errorRetry: { maxNumRetry: errorRetries, retryDelayMs: 1000, maxRetryDelayMs: 8000 },
  },
});

const statusText: Record<number, string> = {
  404: 'not found',
  415: 'not a media file',
  502: 'FFmpeg failed',
  503: 'the server is busy',
};

/** An hls.js error in words: the HTTP status when there was one, else hls.js's own detail. */
export function describeHlsError(data: { details: string; response?: { code?: number } }): string {
  const code = data.response?.code;
  if (code) return `HTTP ${code}${statusText[code] ? `, ${statusText[code]}` : ''}`;
  return data.details;
}

/** The failure message once playing, or null. `Hls` null: not the engine (any instance is destroyed). */
export function useHlsJs(
  ref: RefObject<HTMLVideoElement | null>,
  Hls: Hls | null,
  url: string,
  audio: number | null,
  startAt: RefObject<number | null>,
  onFallback: (reason: string) => void,
): string | null {
  const [failure, setFailure] = useState<string | null>(null);
  const instance = useRef<InstanceType<Hls> | null>(null);
  const wanted = useRef(audio);
  wanted.current = audio;
  const fallback = useRef(onFallback);
  fallback.current = onFallback;

  const applyAudio = () => {
    const hls = instance.current;
    const n = wanted.current;
    if (hls && n !== null && n < hls.audioTracks.length && hls.audioTrack !== n) hls.audioTrack = n;
  };

  // A layout effect: its cleanup runs before a new `src` is set (video-source.ts), so a dying instance never
  // sees its MediaSource taken away and reports that as an error.
  useLayoutEffect(() => {
    const v = ref.current;
    if (!Hls || !v) return;
    const hls = new Hls({
      enableWorker: false, // fMP4 needs no transmuxing; a blob worker would also need a looser CSP
      startPosition: startAt.current ?? -1,
      backBufferLength: 90,
      // hls.js would buffer a low-bitrate file to its end (up to 600 s ahead): a minute is plenty, and keeps a
      // transcode from running through the film for one viewer and the torrent's priority near the playhead.
      maxMaxBufferLength: 60,
      // Subtitles are the player's own <track> (menus, painting), so hls.js leaves the renditions alone.
      subtitleTrackController: undefined,
      subtitleStreamController: undefined,
      timelineController: undefined,
      enableWebVTT: false,
      enableCEA708Captions: false,
      // Once for the master, whose failure has the progressive stream to fall back on.
      manifestLoadPolicy: patient(1),
      playlistLoadPolicy: patient(2),
      fragLoadPolicy: patient(3),
    });
    instance.current = hls;
    let started = false;
    let recovered = false;
    const onFrame = () => {
      started = true;
    };
    const stop = () => {
      if (instance.current !== hls) return;
      instance.current = null;
      v.removeEventListener('loadeddata', onFrame);
      hls.destroy();
    };
    v.addEventListener('loadeddata', onFrame);
    hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, applyAudio);
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal || instance.current !== hls) return;
      if (!started) {
        // Before stop(), whose detach resets currentTime: the fallback starts where the viewer seeked to.
        fallback.current(describeHlsError(data));
        stop();
      } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
        recovered = true;
        hls.recoverMediaError();
      } else {
        stop();
        setFailure(`The HLS stream failed: ${describeHlsError(data)}.`);
      }
    });
    hls.attachMedia(v);
    hls.loadSource(url);
    return () => {
      stop();
      setFailure(null);
    };
  }, [ref, Hls, url]);

  useLayoutEffect(applyAudio, [audio]);
  return failure;
}
