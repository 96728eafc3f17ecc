/**
 * SIGINT/SIGTERM: stop streams (their FFmpeg processes die with the connections), save and close the
 * torrents, exit 0 — within 2 s, however busy. A second signal exits at once.
 */
import type { Runtime } from './runtime.js';

const deadlineMs = 1800;

export function untilShutdown(runtime: Runtime, beforeClose?: () => void): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) process.exit(130);
      stopping = true;
      beforeClose?.();
      const deadline = setTimeout(() => resolve(0), deadlineMs);
      deadline.unref();
      runtime.close().then(
        () => resolve(0),
        (err) => {
          process.stderr.write(`streamtide: error while stopping: ${(err as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
