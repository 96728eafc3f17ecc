/** Player shortcuts: space play/pause, ←/→ ±10 s, ↑/↓ volume, f fullscreen, m mute. */
import { useEffect, useRef } from 'preact/hooks';

export interface Shortcuts {
  togglePlay: () => void;
  skip: (seconds: number) => void;
  toggleFullscreen: () => void;
  toggleMute: () => void;
  nudgeVolume: (delta: number) => void;
}

/** Keys typed into a field belong to the field; a focused button or native video control handles space itself. */
function ownsKey(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (
    target.isContentEditable ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  )
    return true;
  if (target instanceof HTMLInputElement) return target.type !== 'range';
  if (key === ' ' && (target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement))
    return true;
  return target instanceof HTMLVideoElement && target.controls;
}

export function useShortcuts(shortcuts: Shortcuts): void {
  const current = useRef(shortcuts);
  current.current = shortcuts;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
      if (ownsKey(event.target, event.key)) return;
      const s = current.current;
      const actions: Record<string, () => void> = {
        ' ': s.togglePlay,
        k: s.togglePlay,
        ArrowLeft: () => s.skip(-10),
        ArrowRight: () => s.skip(10),
        f: s.toggleFullscreen,
        m: s.toggleMute,
        ArrowUp: () => s.nudgeVolume(0.05),
        ArrowDown: () => s.nudgeVolume(-0.05),
      };
      const action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
      if (!action) return;
      event.preventDefault();
      action();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
