/**
 * Fetching a region ahead of whoever will read it, without waiting for it: a read whose bytes are thrown
 * away. A source that downloads (a torrent) fetches the region alongside its other readers' regions, so
 * a reader that gets there later finds the bytes on disk. The read has a signal of its own, so the source
 * sees a reader of its own, which goes away once the read is done: the region's priority must not
 * outlive it, nor compete with the real readers' readahead.
 */
import type { DataSource } from './data-source.js';

/**
 * Starts fetching [offset, offset + length); stops when `signal` aborts. Never throws, never rejects. A
 * `background` fetch (a guess) is taken in turn with the source's waiting reads, never before them.
 */
export function prefetch(
  source: DataSource,
  offset: number,
  length: number,
  signal: AbortSignal,
  { background = false } = {},
): void {
  if (signal.aborted || length <= 0 || offset >= source.size) return;
  const own = new AbortController();
  const stop = () => own.abort();
  signal.addEventListener('abort', stop, { once: true });
  let reading: Promise<Buffer>;
  try {
    reading = source.read(offset, length, { signal: own.signal, background });
  } catch {
    // A source that throws instead of rejecting (closed): nothing to fetch.
    signal.removeEventListener('abort', stop);
    return;
  }
  reading
    // A failure here is the real reader's to meet and report, when it gets there.
    .catch(() => undefined)
    .finally(() => {
      signal.removeEventListener('abort', stop);
      own.abort();
    });
}
