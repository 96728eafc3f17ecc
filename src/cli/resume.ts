/**
 * Resume for `--player`: the saved position of the file becomes the player's start flag (catalog/resume-rule.ts
 * says when it is worth it), and with mpv the position is followed through its IPC and saved through the
 * server's own API (so it is checked and stored as any player's): every few seconds and when mpv quits.
 */
import { resumePoint } from '../catalog/resume-rule.js';
import { MpvPosition, mpvIpcPath } from './mpv-ipc.js';
import type { Runtime } from './runtime.js';

const REPORT_MS = 5000;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Where the player should start: the file's saved position when worth resuming, else null. */
export function savedStart(runtime: Runtime, infoHash: string, index: number): number | null {
  const saved = runtime.catalog.positions(infoHash)?.get(index);
  return saved ? resumePoint(saved.seconds, saved.duration) : null;
}

export interface PositionFollower {
  /** Flags for the player (the IPC socket). */
  args: string[];
  /** Saves the last position once the player has quit. */
  finish(): Promise<void>;
}

/** Follows mpv's position into the file's saved position. */
export function followMpv(
  runtime: Runtime,
  infoHash: string,
  index: number,
  authorization?: string,
): PositionFollower {
  const path = mpvIpcPath();
  const mpv = new MpvPosition(path);
  // The duration the server holds positions to, and stores with them: a probe the player makes needless
  // for itself, but which lets the next run (and the web UI) tell "watched" from "stopped at the end".
  const entry = runtime.catalog.get(infoHash);
  const file = entry?.files[index];
  const probed = entry && file ? runtime.app.probes.probe({ entry, file }).catch(() => {}) : undefined;
  let sent: number | null = null;
  const report = async () => {
    const seconds = mpv.last;
    if (seconds === null || seconds === sent) return;
    sent = seconds;
    await runtime.app
      .inject({
        method: 'PUT',
        url: `/api/torrents/${infoHash}/files/${index}/position`,
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        payload: JSON.stringify({ seconds }),
      })
      .catch(() => {});
  };
  const timer = setInterval(() => void report(), REPORT_MS).unref();
  return {
    args: [`--input-ipc-server=${path}`],
    async finish() {
      clearInterval(timer);
      // A player that never opened its socket leaves nothing to wait for; one that did, its last report.
      await Promise.race([mpv.closed, delay(2000)]);
      mpv.stop();
      // The last position is the one that says "watched to the end": worth the probe's last moments.
      await Promise.race([probed, delay(10_000)]);
      await report();
    },
  };
}
