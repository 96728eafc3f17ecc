/** Waits until a server answers GET /api/health, or fails as soon as the process meant to serve it ends. */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Child, describeExit } from './child.js';

const startupLimitMs = 120_000;
const pollMs = 200;

export async function waitHealthy(baseUrl: string, child: Child, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + startupLimitMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    signal.throwIfAborted();
    if (!child.running) {
      throw new Error(
        `${child.name} ${describeExit(await child.exited)} while starting; see ${child.logPath}`,
      );
    }
    try {
      const answer = await fetch(`${baseUrl}/api/health`, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]),
      });
      await answer.arrayBuffer();
      if (answer.ok) return;
      lastError = `HTTP ${answer.status}`;
    } catch (err) {
      signal.throwIfAborted();
      lastError = (err as Error).message;
    }
    await sleep(pollMs, undefined, { signal }).catch(() => undefined);
  }
  throw new Error(
    `${child.name} did not answer ${baseUrl}/api/health within ${startupLimitMs / 1000} s (${lastError}); see ${child.logPath}`,
  );
}
