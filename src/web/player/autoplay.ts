/**
 * Play and pause as the user means them: `wanted` is their intent (play unless they paused), which survives
 * a new source, unlike `video.paused`. Autoplay with sound blocked by the browser plays muted and offers
 * Unmute; blocked even muted, it asks for a click.
 */
import type { RefObject } from 'preact';
import { useRef, useState } from 'preact/hooks';

export function useAutoplay(ref: RefObject<HTMLVideoElement | null>) {
  const wanted = useRef(true);
  const [autoMuted, setAutoMuted] = useState(false);
  const [needsClick, setNeedsClick] = useState(false);

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

  /** Plays when paused (or ended), pauses when playing. */
  const toggle = () => {
    const v = ref.current;
    if (!v) return;
    if (v.paused || v.ended) {
      wanted.current = true;
      tryPlay();
    } else {
      wanted.current = false;
      v.pause();
    }
  };

  return { wanted, tryPlay, toggle, autoMuted, needsClick, clearAutoMuted: () => setAutoMuted(false) };
}
