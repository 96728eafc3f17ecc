/**
 * A DataSource whose reads wait for the real one, opened later: a reader (FFmpeg's pump) can start before
 * the hints the source is opened with are known, or before the file itself is (a torrent's metadata still
 * on its way). Reads made before then just wait, as for bytes not yet downloaded; if opening it fails, or
 * the source is closed first, they reject.
 */
import { untilAborted } from './abort.js';
import type { DataSource } from './data-source.js';

export interface DeferredSource extends DataSource {
  /**
   * The size given, else the real source's once it is open; Infinity until then (a reader that started
   * before the file was known learns its end with its first read).
   */
  readonly size: number;
  /** Hands over the real source (or the error opening it), with its size if known already; once. */
  settle(opened: Promise<DataSource>, size?: number): void;
}

export function deferredSource(name: string, size?: number): DeferredSource {
  let settle!: (opened: Promise<DataSource>) => void;
  const real = new Promise<DataSource>((resolve) => {
    settle = resolve;
  });
  let known = size;
  // Registered before any read's wait: a read that resumes sees the size.
  real.then(
    (source) => {
      known ??= source.size;
    },
    () => undefined,
  );
  let settled = false;
  return {
    get size() {
      return known ?? Number.POSITIVE_INFINITY;
    },
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
    settle(opened, size) {
      if (settled) return;
      settled = true;
      known ??= size;
      settle(opened);
    },
  };
}
