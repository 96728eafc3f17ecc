/**
 * hls.js, loaded on demand: it is a separate chunk of the bundle (~400 KB), fetched when a player may need it
 * rather than before the first paint. One load per page; a failed load (say, the server restarted with a new
 * build) answers null, and the player plays without it.
 */
import type HlsClass from 'hls.js';

export type Hls = typeof HlsClass;

let loading: Promise<Hls | null> | undefined;

export function loadHls(): Promise<Hls | null> {
  loading ??= import('hls.js').then(
    (module) => module.default,
    () => null,
  );
  return loading;
}
