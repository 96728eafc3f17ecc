/**
 * Whether the viewer has left the player alone for a while: then fullscreen playback hides its controls and
 * the cursor. Any mouse move, touch or key wakes it; it never reports idle while `enabled` is false (paused,
 * not fullscreen).
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export const idleAfterMs = 3000;

const wakeEvents = ['mousemove', 'pointerdown', 'touchstart', 'keydown', 'wheel'] as const;

export function useIdle(enabled: boolean): boolean {
  const [idle, setIdle] = useState(false);
  useEffect(() => {
    setIdle(false);
    if (!enabled) return;
    let timer = setTimeout(() => setIdle(true), idleAfterMs);
    const wake = () => {
      setIdle(false);
      clearTimeout(timer);
      timer = setTimeout(() => setIdle(true), idleAfterMs);
    };
    for (const name of wakeEvents) document.addEventListener(name, wake, { capture: true, passive: true });
    return () => {
      clearTimeout(timer);
      for (const name of wakeEvents) document.removeEventListener(name, wake, { capture: true });
    };
  }, [enabled]);
  return idle;
}

/**
 * On a touch screen the first tap on a picture whose controls are hidden only brings them back (as in other
 * players); it would otherwise also pause. A mouse click still plays/pauses at once.
 */
export function useTapWakes(idle: boolean) {
  const woke = useRef(false);
  return {
    onPointerDown: (event: PointerEvent) => {
      woke.current = idle && event.pointerType !== 'mouse';
    },
    click: (action: () => void) => () => {
      if (woke.current) woke.current = false;
      else action();
    },
  };
}
