/**
 * Keeps the last picture on screen while a seek restarts the stream: a new `src` blanks the `<video>` until
 * its first frame, so the current frame is copied to a canvas over it first and the canvas goes away once
 * the new stream has a frame of its own (or fails).
 */
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function useFreezeFrame(video: RefObject<HTMLVideoElement | null>) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const v = video.current;
    if (!v) return;
    const thaw = () => {
      if (canvas.current) canvas.current.hidden = true;
    };
    v.addEventListener('loadeddata', thaw);
    v.addEventListener('error', thaw);
    return () => {
      v.removeEventListener('loadeddata', thaw);
      v.removeEventListener('error', thaw);
    };
  }, [video]);

  /** Call just before the source changes. */
  const freeze = () => {
    const v = video.current;
    const c = canvas.current;
    if (!v || !c || v.readyState < 2 || !v.videoWidth) return;
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    c.getContext('2d')?.drawImage(v, 0, 0, c.width, c.height);
    c.hidden = false;
  };
  return { canvas, freeze };
}
