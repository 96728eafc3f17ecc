/**
 * Where a progressive stream asked to start at `t` really starts. Copied video cannot start between
 * keyframes, so the server starts it at the keyframe at or before `t` and says so in `X-Stream-Start`;
 * a <video> element cannot read headers, so a HEAD (cheap: FFmpeg is not started) asks. Until it
 * answers, `t` stands in.
 */
import { useEffect, useState } from 'preact/hooks';

export function useStreamStart(url: string, t: number, progressive: boolean): number {
  const [known, setKnown] = useState<{ url: string; start: number } | null>(null);
  useEffect(() => {
    if (!progressive || t <= 0) return;
    const abort = new AbortController();
    fetch(url, { method: 'HEAD', signal: abort.signal })
      .then((res) => {
        const start = Number(res.headers.get('X-Stream-Start'));
        if (res.ok && Number.isFinite(start) && start >= 0 && start <= t) setKnown({ url, start });
      })
      .catch(() => undefined);
    return () => abort.abort();
  }, [url, progressive, t]);
  return known?.url === url ? known.start : t;
}
