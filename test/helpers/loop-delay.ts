/**
 * How long the event loop of this process was held while `work` ran: the responsiveness check for a
 * server running in the test's own process. Bounds on it must be generous (a second or more): the
 * machines running the tests are loaded.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export async function worstLoopDelayMs<T>(work: () => Promise<T>): Promise<{ result: T; worstMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    const result = await work();
    return { result, worstMs: histogram.max / 1e6 };
  } finally {
    histogram.disable();
  }
}
