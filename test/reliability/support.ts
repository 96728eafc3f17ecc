/** Shared by the reliability tests: a loopback engine, seeders with knobs, and bounded waits on conditions. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebTorrent, { type Torrent } from 'webtorrent';
import type { EngineOptions, TorrentEngine } from '../../src/torrent/index.js';
import { type CliRun, cliPath, isolatedFlags, runCli } from '../helpers/cli.js';
import { startTestEngine } from '../helpers/swarm.js';

export const loopbackOptions = {
  dht: false,
  lsd: false,
  natUpnp: false,
  natPmp: false,
  tracker: false,
  torrentPort: 0,
} as const;

export function loopbackEngine(dir: string, extra: Partial<EngineOptions> = {}): Promise<TorrentEngine> {
  return startTestEngine(dir, { tracker: false, onWarning: () => {}, ...extra });
}

/** Polls `condition` until it returns a truthy value; throws at the deadline (only bounds a broken run). */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  deadlineMs = 30_000,
): Promise<NonNullable<T>> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
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
        // Trusted as complete, without reading the data.
        const added = client.add(options.torrent, {
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

/** `streamtide serve` as a child process (the built CLI) on a random port, with its base URL. */
export async function serveCli(
  dir: string,
  env: NodeJS.ProcessEnv = {},
  extra: string[] = [],
  options: { maxOpenFiles?: number } = {},
): Promise<{ cli: CliRun; url: string }> {
  const cli = runCli(['serve', ...isolatedFlags(dir), ...extra], env, cliPath, options);
  // stdout is a pipe: the banner is a JSON line whose message starts like the terminal's banner.
  const banner = await cli.line(/"msg":"streamtide http:\/\//);
  return { cli, url: (JSON.parse(banner) as { url: string }).url };
}

/** Adds a torrent through the API and waits (bounded) until it is fully downloaded. */
export async function addAndDownload(
  url: string,
  magnet: string,
): Promise<{ infoHash: string; files: Array<{ index: number; name: string }> }> {
  const added = await fetch(`${url}/api/torrents`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: magnet }),
  });
  const { infoHash } = (await added.json()) as { infoHash: string };
  return waitFor('the torrent to download', async () => {
    const torrent = (await (await fetch(`${url}/api/torrents/${infoHash}`)).json()) as {
      progress: number;
      files: Array<{ index: number; name: string }>;
    };
    return torrent.progress === 1 ? { infoHash, files: torrent.files } : null;
  });
}

export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** The JSON log lines a CLI printed on stdout. */
export function logLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

export { type Bencodable, bencode } from '../helpers/bencode.js';
