/**
 * `--cast`: a renderer on the LAN plays the file from the server's own address; its state feeds the status
 * line; stopping the CLI stops it first.
 */
import { networkInterfaces } from 'node:os';
import type { CastFile } from '../cast/stream-choice.js';
import type { CastTarget } from '../cast/target.js';
import type { CastState } from '../cast/types.js';
import { isLoopback } from '../server/security.js';
import type { Runtime } from './runtime.js';
import { formatClock } from './status-line.js';
import { terminalSafe } from './terminal-text.js';

const POLL_MS = 1000;
/** Stopping the renderer is worth part of the 2 s the CLI has to stop, not more. */
const STOP_MS = 1000;

export interface CastSession {
  /** What the status line shows: the renderer's name and state. */
  label(): string;
  /** What the renderer was sent: the original bytes or the transcoded stream. */
  readonly direct: boolean;
  readonly name: string;
  /** Stops the renderer (bounded) and lets go of it. */
  stop(): Promise<void>;
}

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((info) => info && !info.internal && !info.address.startsWith('fe80'))
    .map((info) => info!.address);
}

/** Why the server's address is no good for a renderer to fetch from, if it is not. */
export function castHostProblem(host: string): string | undefined {
  const here = lanAddresses();
  const hint = here.length > 0 ? ` (this machine has ${here.join(', ')})` : '';
  if (isLoopback(host)) {
    return `--cast needs --host set to this machine's LAN address${hint}: the TV fetches the stream from it, and ${host} is loopback`;
  }
  if (host === '0.0.0.0' || host === '::' || host === '[::]') {
    return `--cast needs --host set to one LAN address${hint}, not ${host}: the TV is sent that address`;
  }
  return undefined;
}

export function castLabel(name: string, state: CastState | undefined): string {
  if (!state) return `${name}: starting`;
  const { position, duration } = state;
  const time =
    position === undefined ? '' : ` ${formatClock(position)}${duration ? ` / ${formatClock(duration)}` : ''}`;
  return `${name}: ${terminalSafe(state.state)}${time}`;
}

export async function startCast(
  runtime: Runtime,
  target: CastTarget,
  host: string,
  file: CastFile,
): Promise<CastSession> {
  // SSDP, mDNS and the cast libraries load only when casting.
  const { findTarget } = await import('../cast/find-target.js');
  const { chooseMedia } = await import('../cast/stream-choice.js');
  const renderer = await findTarget(target, host);
  const name = terminalSafe(renderer.name);
  let state: CastState | undefined;
  try {
    const media = await chooseMedia(renderer, runtime.url, runtime.app.capabilities, file);
    await renderer.play(media);
    const poll = setInterval(() => {
      renderer.status().then(
        (now) => {
          state = now;
        },
        () => {},
      );
    }, POLL_MS);
    poll.unref();
    let stopping: Promise<void> | undefined;
    return {
      name,
      direct: media.direct,
      label: () => castLabel(name, state),
      stop() {
        stopping ??= (async () => {
          clearInterval(poll);
          const bound = new Promise<void>((resolve) => setTimeout(resolve, STOP_MS).unref());
          await Promise.race([renderer.stop().catch(() => {}), bound]);
          renderer.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    renderer.close();
    throw err;
  }
}
