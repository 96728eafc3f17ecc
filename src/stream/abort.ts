/**
 * Waiting that an AbortSignal can cut short, in one place: every wait in streamtide (a piece, metadata, a
 * shared probe, a timer, a drain) ends either on its own event or with an AbortError when its reader leaves,
 * and in both cases unhooks itself.
 */

/** The AbortError for `signal`: its own reason when that is one, else a fresh one. */
export function abortError(signal?: AbortSignal): Error {
  const reason = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('The operation was aborted', 'AbortError');
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Throws the AbortError when `signal` has already aborted. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * A promise settled by `start`'s resolve/reject, or rejected with an AbortError when `signal` aborts first.
 * `start` may return a cleanup; it runs exactly once, however the wait ends.
 */
export function abortableWait<T>(
  signal: AbortSignal | undefined,
  start: (resolve: (value: T) => void, reject: (err: unknown) => void) => (() => void) | undefined,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    let cleanup: (() => void) | undefined;
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      cleanup?.();
      finish();
    };
    const onAbort = () => settle(() => reject(abortError(signal)));
    signal?.addEventListener('abort', onAbort, { once: true });
    cleanup = start(
      (value) => settle(() => resolve(value)),
      (err) => settle(() => reject(err)),
    );
    // `start` may have settled synchronously, before its cleanup was known.
    if (settled) cleanup?.();
  });
}

/** `promise`, but this caller stops waiting (AbortError) when `signal` aborts; the promise itself goes on. */
export function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return abortableWait<T>(signal, (resolve, reject) => void promise.then(resolve, reject));
}

/** Resolves once `stream` emits 'drain' (or closes, or errors: the writer finds out on its next write). */
export function drained(
  stream: NodeJS.EventEmitter & { writableNeedDrain?: boolean },
  signal?: AbortSignal,
): Promise<void> {
  return abortableWait<void>(signal, (resolve) => {
    const done = () => resolve();
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
    return () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
    };
  });
}
