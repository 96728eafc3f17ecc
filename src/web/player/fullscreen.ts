/** Fullscreen for the player's stage (video and custom controls together), with iOS's video-only fallback. */
import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';

type IosVideo = HTMLVideoElement & { webkitEnterFullscreen?: () => void };

export function useFullscreen(
  stage: RefObject<HTMLElement | null>,
  video: RefObject<HTMLVideoElement | null>,
) {
  const [active, setActive] = useState(false);
  useEffect(() => {
    const onChange = () =>
      setActive(document.fullscreenElement !== null && document.fullscreenElement !== undefined);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);
  const toggle = () => {
    if (document.fullscreenElement) {
      void document.exitFullscreen().catch(() => {});
      return;
    }
    const el = stage.current;
    if (el?.requestFullscreen) void el.requestFullscreen().catch(() => {});
    else (video.current as IosVideo | null)?.webkitEnterFullscreen?.();
  };
  return { active, toggle };
}
