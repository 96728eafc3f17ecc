/**
 * The engine a file plays with (engine.ts) as it is known in this page: hls.js is loaded when the choice
 * waits on it, and HLS that fails before its first frame — hls.js (hls-playback.ts) or the browser's own,
 * watched here — turns the choice to the progressive stream, with the reason kept for the player to show.
 */
import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Plan } from '../types.js';
import { mediaErrorText } from './diagnose.js';
import { browserHls, chooseEngine, type Engine } from './engine.js';
import { type Hls, loadHls } from './hls-loader.js';

export interface EngineState {
  engine: Engine;
  /** hls.js, when it is the engine. */
  Hls: Hls | null;
  /** The engine `mode` would have now (for a change about to be made). */
  engineFor: (mode: Plan) => Engine;
  /** Why HLS was given up for the progressive stream, or null. */
  fallback: string | null;
  fallBack: (reason: string) => void;
}

export function useEngine(
  ref: RefObject<HTMLVideoElement | null>,
  mode: Plan,
  forced: boolean,
  /** Called just before the progressive stream takes over (to say where it starts). */
  beforeFallback: () => void,
): EngineState {
  // undefined: not loaded yet; null: could not load.
  const [hls, setHls] = useState<Hls | null | undefined>(undefined);
  const [fallback, setFallback] = useState<string | null>(null);
  const hlsJs = hls === undefined ? undefined : hls?.isSupported() === true;
  const engineFor = (m: Plan) =>
    chooseEngine({ mode: m, forced, hlsFailed: fallback !== null, hlsJs, ...browserHls() });
  const engine = engineFor(mode);
  const fallBack = (reason: string) => {
    beforeFallback();
    setFallback(reason);
  };
  const latestFallBack = useRef(fallBack);
  latestFallBack.current = fallBack;

  useEffect(() => {
    if (engine !== 'pending') return;
    let live = true;
    // A function given to a state setter is an updater: hls.js (a class) goes in wrapped.
    void loadHls().then((loaded) => live && setHls(() => loaded));
    return () => {
      live = false;
    };
  }, [engine]);

  // The browser's own HLS: an error before the first frame is HLS not working here. (A layout effect, so it
  // listens before the playlist's `src` can fail.)
  useLayoutEffect(() => {
    const v = ref.current;
    if (engine !== 'native-hls' || !v) return;
    let started = false;
    const onFrame = () => {
      started = true;
    };
    const onError = () => {
      if (!started) latestFallBack.current(`the browser's HLS failed (${mediaErrorText(v.error?.code)})`);
    };
    v.addEventListener('loadeddata', onFrame);
    v.addEventListener('error', onError);
    return () => {
      v.removeEventListener('loadeddata', onFrame);
      v.removeEventListener('error', onError);
    };
  }, [ref, engine]);

  return {
    engine,
    Hls: engine === 'hls.js' ? (hls ?? null) : null,
    engineFor,
    fallback,
    fallBack,
  };
}
