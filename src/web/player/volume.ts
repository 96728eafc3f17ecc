/** The volume the viewer last chose, kept in localStorage and given to every new player. */
import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';

const key = 'streamtide.volume';

export function rememberedVolume(): number | null {
  try {
    const stored = localStorage.getItem(key);
    const n = stored === null ? Number.NaN : Number(stored);
    return Number.isFinite(n) && n >= 0 && n <= 1 ? n : null;
  } catch {
    return null; // storage can be off (privacy settings)
  }
}

export const clampVolume = (x: number) => Math.min(1, Math.max(0, Math.round(x * 100) / 100));

export function useRememberedVolume(ref: RefObject<HTMLVideoElement | null>): void {
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    const stored = rememberedVolume();
    if (stored !== null) v.volume = stored;
    const save = () => {
      try {
        localStorage.setItem(key, String(v.volume));
      } catch {}
    };
    v.addEventListener('volumechange', save);
    return () => v.removeEventListener('volumechange', save);
  }, [ref]);
}

/** Mute and volume on the element; `onChange` hears of each (the autoplay's "muted for you" is over). */
export function useVolumeControls(ref: RefObject<HTMLVideoElement | null>, onChange: () => void) {
  const toggleMute = () => {
    const v = ref.current;
    if (!v) return;
    v.muted = !v.muted;
    onChange();
  };

  const setVolume = (volume: number) => {
    const v = ref.current;
    if (!v) return;
    const level = clampVolume(volume);
    // 0 is Mute, keeping the level: Unmute (and the next video) come back to it rather than to silence.
    if (level > 0) v.volume = level;
    v.muted = level === 0;
    onChange();
  };

  const nudgeVolume = (delta: number) => {
    const v = ref.current;
    if (v) setVolume((v.muted ? 0 : v.volume) + delta);
  };

  return { toggleMute, setVolume, nudgeVolume };
}
