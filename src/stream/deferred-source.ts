/**
 * A DataSource whose reads wait for the real one, opened later: a reader (FFmpeg's pump) can start before
 * the hints the source is opened with are known. Reads made before then just wait, as for bytes not yet
 * downloaded; if opening it fails, or the source is closed first, they reject.
 */
import { untilAborted } from './abort.js';
import type { DataSource } from './data-source.js';

export interface DeferredSource extends DataSource {
  /** Hands over the real source (or the error opening it); once. */
  settle(opened: Promise<DataSource>): void;
}

export function deferredSource(size: number, name: string): DeferredSource {
  let settle!: (opened: Promise<DataSource>) => void;
  const real = new Promise<DataSource>((resolve) => {
    settle = resolve;
  });
  real.catch(() => undefined);
  let settled = false;
  return {
    size,
    name,
    read: async (offset, length, options) => {
      const source = await untilAborted(real, options?.signal);
      return source.read(offset, length, options);
    },
    close: async () => {
      if (!settled) {
        // Closed before any real source: none will be opened, and waiting reads fail.
        settled = true;
        settle(Promise.reject(new Error(`${name} was closed before it was opened`)));
        return;
      }
      const source = await real.catch(() => null);
      await source?.close();
    },
    settle(opened) {
      if (settled) return;
      settled = true;
      settle(opened);
    },
  };
}
