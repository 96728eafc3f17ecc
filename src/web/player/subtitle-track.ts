/**
 * The `<track>` of the chosen subtitles, added and removed by hand rather than rendered: Chromium keeps
 * painting a cue that was showing when its `<track>` element leaves the DOM, so the old track is disabled
 * before it goes (on a seek, whose new stream needs cues on a new clock, and on "Off").
 */
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function useSubtitleTrack(
  video: RefObject<HTMLVideoElement | null>,
  url: string | null,
  srclang: string | undefined,
  onFailed: (failed: boolean) => void,
): void {
  const report = useRef(onFailed);
  report.current = onFailed;
  useEffect(() => {
    const v = video.current;
    if (!v || !url) return;
    const el = document.createElement('track');
    el.kind = 'subtitles';
    el.label = 'Subtitles';
    if (srclang) el.srclang = srclang;
    el.src = url;
    let live = true;
    // A track being removed may still end its load; only the current one reports.
    el.addEventListener('error', () => live && report.current(true));
    el.addEventListener('load', () => live && report.current(false));
    v.append(el);
    // A track added after load is not shown by `default` alone in every browser.
    el.track.mode = 'showing';
    return () => {
      live = false;
      el.track.mode = 'disabled';
      el.remove();
    };
  }, [video, url, srclang]);
}
