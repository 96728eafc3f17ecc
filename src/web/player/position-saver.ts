/**
 * Tells the server where playback is (PUT …/position), so that the next visit offers to resume there: every
 * few seconds while playing, on pause, at the end, and as the page goes away (keepalive: the request outlives
 * the page). Only a time the element really reached counts: while a new source loads its clock says 0, and
 * just after a progressive seek the old stream's clock still runs against the new start.
 */
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../api.js';
import type { Playback } from './playback.js';
import type { VideoState } from './video-state.js';

const EVERY_MS = 5000;

/** `enabled`: false while the saved position must stay as it is (the page has not learnt it, or offers it). */
export function useSavePosition(infoHash: string, index: number, p: Playback, enabled: boolean): void {
  const { video } = p;
  const reached = useRef<number | null>(null);
  const sent = useRef<number | null>(null);
  const seen = useRef<VideoState | null>(null);
  const wasEnabled = useRef(enabled);
  // Enabled by an answer that seeks: what the element reached before it is not where the viewer is.
  if (enabled && !wasEnabled.current) reached.current = null;
  wasEnabled.current = enabled;
  // A new snapshot of the element (one of its events), settled on a frame: its time, in the file's time.
  if (video !== seen.current) {
    seen.current = video;
    if (!video.waiting && !video.errorCode) {
      const now = p.start + video.currentTime;
      reached.current = Math.floor(Math.min(now, p.duration > 0 ? p.duration : now) * 1000) / 1000;
    }
  }

  const save = (keepalive = false) => {
    const seconds = reached.current;
    if (!enabled || seconds === null || seconds === sent.current) return;
    sent.current = seconds;
    api.savePosition(infoHash, index, seconds, keepalive).catch(() => {
      // Not saved (the server went away, or is older than positions): the next report tries again.
      sent.current = null;
    });
  };
  const latest = useRef({ save, playing: false });
  latest.current = { save, playing: !video.paused && !video.waiting };

  useEffect(() => {
    const timer = setInterval(() => latest.current.playing && latest.current.save(), EVERY_MS);
    const onHide = () => latest.current.save(true);
    addEventListener('pagehide', onHide);
    return () => {
      clearInterval(timer);
      removeEventListener('pagehide', onHide);
      latest.current.save(true);
    };
  }, []);

  useEffect(() => {
    if (video.paused || video.ended) save();
  }, [video.paused, video.ended]);
}
