/**
 * SIGINT/SIGTERM: stop streams (their FFmpeg processes die with the connections), save and close the
 * torrents, exit 0 — within 2 s, however busy. A second signal exits at once.
 */

import type { Runtime } from './runtime.js';
import { terminalSafe } from './terminal-text.js';

const deadlineMs = 1800;

let early = false;
const remember = () => {
  // A second signal while starting up: the user insists, and there is nothing to save yet.
  if (early) process.exit(130);
  early = true;
};

/**
 * Call first thing: a signal while the CLI starts (loading modules, finding FFmpeg, starting the engine) is
 * remembered and honoured by untilShutdown, instead of killing the process with Node's default code.
 */
export function holdSignals(): void {
  if (process.listeners('SIGINT').includes(remember)) return;
  process.on('SIGINT', remember);
  process.on('SIGTERM', remember);
}

export function signalledEarly(): boolean {
  return early;
}

/**
 * Resolves with the exit code once a signal has stopped everything. `beforeClose` runs first, while the
 * server still serves (a renderer being told to stop may still be reading).
 */
export function untilShutdown(runtime: Runtime, beforeClose?: () => void | Promise<void>): Promise<number> {
  process.off('SIGINT', remember);
  process.off('SIGTERM', remember);
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) process.exit(130);
      stopping = true;
      const deadline = setTimeout(() => resolve(0), deadlineMs);
      deadline.unref();
      Promise.resolve()
        .then(beforeClose)
        .catch(() => {})
        .then(() => runtime.close())
        .then(
          () => resolve(0),
          (err) => {
            process.stderr.write(
              `streamtide: error while stopping: ${terminalSafe((err as Error).message)}\n`,
            );
            resolve(1);
          },
        );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (early) onSignal();
  });
}
