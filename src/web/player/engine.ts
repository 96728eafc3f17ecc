/**
 * Which way a file plays in this browser. Pure (the browser's answers come in as arguments), so it is tested
 * without one.
 *
 * - `direct`: the file's own bytes with Range; seeks by `currentTime`.
 * - `native-hls` / `hls.js`: remux/transcode through the server's HLS playlists, whose timeline is the file's,
 *   so a seek is `currentTime` too (one segment request anywhere in the file).
 * - `progressive`: the one-piece fMP4 of `/stream`, restarted with `t=` on a seek outside what it buffered.
 * - `pending`: hls.js is the way if it loads and this browser supports it; not known yet.
 */
import type { Plan } from '../types.js';

export type Engine = 'direct' | 'native-hls' | 'hls.js' | 'progressive' | 'pending';

export interface EngineInputs {
  /** What plays: the probe's plan, or remux for a direct file with another audio track, or a forced mode. */
  mode: Plan;
  /** The user forced a mode (the error's "Try again with transcoding"): only `/stream` takes `mode=`. */
  forced: boolean;
  /** HLS failed before its first frame here: the progressive stream instead. */
  hlsFailed: boolean;
  /** `video.canPlayType('application/vnd.apple.mpegurl')` is not empty. */
  nativeHls: boolean;
  /** The page has MediaSource (or ManagedMediaSource): hls.js may work. */
  mediaSource: boolean;
  /** The page has ManagedMediaSource: Safari 17+ (whose own HLS is the better player there). */
  managedMediaSource: boolean;
  /** `Hls.isSupported()`, or undefined while hls.js is loading (false when it failed to load). */
  hlsJs: boolean | undefined;
}

export function chooseEngine(c: EngineInputs): Engine {
  if (c.mode === 'direct') return 'direct';
  if (c.forced || c.hlsFailed) return 'progressive';
  // Safari plays HLS itself, best. Chromium answers "maybe" too, yet stalls on some streams: hls.js there.
  if (c.nativeHls && (c.managedMediaSource || !c.mediaSource)) return 'native-hls';
  if (!c.mediaSource) return 'progressive';
  if (c.hlsJs === undefined) return 'pending';
  if (c.hlsJs) return 'hls.js';
  return c.nativeHls ? 'native-hls' : 'progressive';
}

/** Whether a seek is just `currentTime` (the element's time is the file's), as against a progressive restart. */
export const seeksInPlace = (engine: Engine) => engine !== 'progressive';

export type BrowserHls = Pick<EngineInputs, 'nativeHls' | 'mediaSource' | 'managedMediaSource'>;

/** Whether this browser would play a remux through hls.js: its chunk is worth loading before the probe is in. */
export const mayUseHlsJs = (browser: BrowserHls) =>
  chooseEngine({ mode: 'remux', forced: false, hlsFailed: false, hlsJs: undefined, ...browser }) ===
  'pending';

let asked: BrowserHls | undefined;

/** This browser's answers (asked once: they do not change). */
export function browserHls(): BrowserHls {
  if (asked) return asked;
  const managed = 'ManagedMediaSource' in globalThis;
  asked = {
    nativeHls: document.createElement('video').canPlayType('application/vnd.apple.mpegurl') !== '',
    mediaSource: managed || 'MediaSource' in globalThis,
    managedMediaSource: managed,
  };
  return asked;
}
