/** Shared by the reliability tests: a loopback engine, seeders with knobs, and bounded waits on conditions. */
import { join } from 'node:path';
import WebTorrent, { type Torrent } from 'webtorrent';
import { type EngineOptions, TorrentEngine } from '../../src/torrent/index.js';

export const loopbackOptions = {
  dht: false,
  lsd: false,
  natUpnp: false,
  natPmp: false,
  tracker: false,
  torrentPort: 0,
} as const;

export function loopbackEngine(dir: string, extra: Partial<EngineOptions> = {}): Promise<TorrentEngine> {
  return TorrentEngine.create({ dir, ...loopbackOptions, onWarning: () => {}, ...extra });
}

/** Polls `condition` until it returns a truthy value; throws at the deadline (only bounds a broken run). */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  deadlineMs = 30_000,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface PortSeeder {
  client: WebTorrent;
  torrent: Torrent;
  port: number;
  close(): Promise<void>;
}

/** Seeds `path` in place on a given port (0: any), TCP only, optionally with its upload capped (bytes/s). */
export async function seedOnPort(
  path: string,
  options: {
    port?: number;
    pieceLength?: number;
    uploadLimit?: number;
    store?: unknown;
    torrent?: Uint8Array;
  },
): Promise<PortSeeder> {
  const client = new WebTorrent({
    ...loopbackOptions,
    utp: false,
    utPex: false,
    torrentPort: options.port ?? 0,
  });
  if (options.uploadLimit) client.throttleUpload(options.uploadLimit);
  const close = () =>
    new Promise<void>((resolve) => (client.destroyed ? resolve() : client.destroy(() => resolve())));
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('error', reject);
      client.once('listening', () => resolve());
    });
    const torrent = await new Promise<Torrent>((resolve, reject) => {
      client.once('error', reject);
      if (options.torrent) {
        // A store of the caller's (e.g. one that lies), trusted as complete.
        const added = client.add(options.torrent, {
          store: options.store,
          skipVerify: true,
          path: join(path, '..'),
        });
        added.once('ready', () => resolve(added));
      } else {
        client.seed(path, { announce: [], pieceLength: options.pieceLength }, resolve);
      }
    });
    return { client, torrent, port: client.torrentPort, close };
  } catch (err) {
    await close();
    throw err;
  }
}
