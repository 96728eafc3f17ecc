/**
 * Polling that runs only while the page is visible: a hidden tab asks nothing of the server. Each round
 * starts after the previous one ended, so slow answers never pile up.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  data: T | undefined;
  error: Error | undefined;
  /** Runs a round now (e.g. after the user changed something). */
  refresh: () => void;
}

export function usePoll<T>(
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
  key: string,
): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const refreshRef = useRef<() => void>(() => {});
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running: AbortController | undefined;
    let stopped = false;

    const round = async () => {
      clearTimeout(timer);
      running?.abort();
      const controller = new AbortController();
      running = controller;
      try {
        const value = await loadRef.current(controller.signal);
        if (controller.signal.aborted) return;
        setData(value);
        setError(undefined);
      } catch (err) {
        if (controller.signal.aborted) return;
        setError(err as Error);
      }
      if (!stopped && document.visibilityState === 'visible') timer = setTimeout(round, intervalMs);
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') void round();
      else {
        clearTimeout(timer);
        running?.abort();
      }
    };

    refreshRef.current = () => void round();
    document.addEventListener('visibilitychange', onVisibility);
    if (document.visibilityState === 'visible') void round();
    return () => {
      stopped = true;
      clearTimeout(timer);
      running?.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [key, intervalMs]);

  return { data, error, refresh: () => refreshRef.current() };
}
