/**
 * External players for `--player`: found on PATH by their usual binary names and started without a shell,
 * with the stream URL and, where the player has a flag for it, the title and the time to start at.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

interface PlayerSpec {
  /** Binary names to look for, most usual first (several players are mostly Windows or macOS apps). */
  binaries: string[];
  /** Each entry is one argv element: no shell ever sees a torrent-supplied name. */
  args(url: string, title: string): string[];
  /** The flag that starts playback `seconds` in, for players that have one. */
  start?(seconds: string): string[];
}

const players = {
  mpv: {
    binaries: ['mpv'],
    args: (url, title) => [`--force-media-title=${title}`, url],
    start: (seconds) => [`--start=${seconds}`],
  },
  vlc: {
    binaries: ['vlc', 'cvlc'],
    args: (url, title) => [url, `--meta-title=${title}`],
    start: (seconds) => [`--start-time=${seconds}`],
  },
  iina: {
    binaries: ['iina', 'iina-cli'],
    args: (url, title) => [url, `--mpv-force-media-title=${title}`],
    start: (seconds) => [`--mpv-start=${seconds}`],
  },
  mplayer: {
    binaries: ['mplayer'],
    args: (url, title) => ['-title', title, url],
    start: (seconds) => ['-ss', seconds],
  },
  smplayer: { binaries: ['smplayer'], args: (url, title) => ['-media-title', title, url] },
  'mpc-hc': { binaries: ['mpc-hc64', 'mpc-hc'], args: (url) => [url] },
  potplayer: { binaries: ['PotPlayerMini64', 'PotPlayerMini', 'potplayer'], args: (url) => [url] },
} satisfies Record<string, PlayerSpec>;

export type PlayerName = keyof typeof players;
export const playerNames = Object.keys(players) as PlayerName[];

export function isPlayerName(name: string): name is PlayerName {
  return Object.hasOwn(players, name);
}

export function findOnPath(command: string, path = process.env.PATH ?? ''): string | null {
  // Windows finds `mpc-hc64` as mpc-hc64.exe: the extensions it would try, in its order.
  const extensions =
    process.platform === 'win32' ? ['', ...(process.env.PATHEXT ?? '.EXE').split(';')] : [''];
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    for (const extension of extensions) {
      const candidate = join(dir, command + extension);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {}
    }
  }
  return null;
}

function findPlayer(player: PlayerName): string | null {
  for (const binary of players[player].binaries) {
    const found = findOnPath(binary);
    if (found) return found;
  }
  return null;
}

/** The known players found on PATH, for messages that help pick another. */
export function installedPlayers(): PlayerName[] {
  return playerNames.filter((name) => findPlayer(name) !== null);
}

export function installedHint(): string {
  const found = installedPlayers();
  return found.length > 0 ? `installed players: ${found.join(', ')}` : 'no known player is installed';
}

export interface LaunchOptions {
  /** Seconds to start at, where the player has a flag for it. */
  start?: number | null;
  /** Flags of the player's own, put first (e.g. mpv's IPC socket). */
  extraArgs?: string[];
}

/** Starts the player; resolves with its exit once it ends. Throws when it is not installed. */
export function launchPlayer(
  player: PlayerName,
  url: string,
  title: string,
  options: LaunchOptions = {},
): { pid: number; exited: Promise<number | null> } {
  const binary = findPlayer(player);
  if (!binary) throw new Error(`${player} is not installed; ${installedHint()}`);
  const spec: PlayerSpec = players[player];
  const start =
    options.start && spec.start ? spec.start(String(Math.round(options.start * 1000) / 1000)) : [];
  const args = [...(options.extraArgs ?? []), ...start, ...spec.args(url, title)];
  const child = spawn(binary, args, { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  return { pid: child.pid ?? -1, exited };
}
