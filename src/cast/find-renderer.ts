/**
 * Waits for renderers to show up (SSDP, mDNS) and takes the first, or the first whose friendly name holds
 * the wanted NAME (case-insensitive). Past the deadline, an error that lists what did answer.
 */
import { CastError } from './types.js';

export interface Found {
  name: string;
}

/** Starts a search that calls `onFound` per renderer; returns what stops it. */
export type Search<T extends Found> = (
  onFound: (renderer: T) => void,
  onError: (err: Error) => void,
) => () => void;

export function matches(name: string, wanted: string | undefined): boolean {
  return wanted === undefined || name.toLowerCase().includes(wanted.toLowerCase());
}

export function findRenderer<T extends Found>(
  search: Search<T>,
  options: { wanted?: string; timeoutMs: number; what: string; hint: string },
): Promise<T> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    let stop = () => {};
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      stop();
      outcome();
    };
    const timer = setTimeout(() => finish(() => reject(notFound(options, seen))), options.timeoutMs);
    stop = search(
      (renderer) => {
        if (!seen.includes(renderer.name)) seen.push(renderer.name);
        if (matches(renderer.name, options.wanted)) finish(() => resolve(renderer));
      },
      (err) => finish(() => reject(new CastError(`${options.what} search failed: ${err.message}`))),
    );
  });
}

function notFound(
  options: { wanted?: string; timeoutMs: number; what: string; hint: string },
  seen: string[],
): CastError {
  const within = `within ${Math.round(options.timeoutMs / 1000)} s`;
  if (seen.length === 0) return new CastError(`no ${options.what} answered ${within} (${options.hint})`);
  const list = seen.map((name) => `"${name}"`).join(', ');
  return new CastError(
    `no ${options.what} named like "${options.wanted}" answered ${within}; found: ${list}`,
  );
}
