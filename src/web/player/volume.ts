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
