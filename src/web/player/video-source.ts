/**
 * The `<video>`'s `src`, set by hand rather than rendered: hls.js gives the element a MediaSource URL of its
 * own, which a rendered `src` would fight (Preact writes `src = ''` when the prop goes away, an error of its
 * own). A layout effect, so a new `src` is in place before the page paints, as a rendered one would be.
 */
import type { RefObject } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

/** `src` undefined: the element is someone else's (hls.js) or waits; a URL this hook set is taken away. */
export function useVideoSource(ref: RefObject<HTMLVideoElement | null>, src: string | undefined): void {
  const set = useRef<string | null>(null);
  useLayoutEffect(() => {
    const v = ref.current;
    if (!v) return;
    if (src !== undefined) {
      if (v.getAttribute('src') !== src) v.src = src;
      set.current = src;
    } else if (set.current !== null) {
      // Only our own URL: hls.js may already have attached its MediaSource.
      if (v.getAttribute('src') === set.current) {
        v.removeAttribute('src');
        v.load(); // stops the old download
      }
      set.current = null;
    }
  }, [ref, src]);
}
