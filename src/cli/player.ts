/**
 * External players for `--player`: found on PATH by their usual binary names and started without a shell,
 * with the stream URL and, where the player has a flag for it, the title.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

interface PlayerSpec {
  /** Binary names to look for, most usual first (several players are mostly Windows or macOS apps). */
  binaries: string[];
  /** Each entry is one argv element: no shell ever sees a torrent-supplied name. */
  args(url: string, title: string): string[];
}

const players = {
  mpv: { binaries: ['mpv'], args: (url, title) => [`--force-media-title=${title}`, url] },
  vlc: { binaries: ['vlc', 'cvlc'], args: (url, title) => [url, `--meta-title=${title}`] },
  iina: { binaries: ['iina', 'iina-cli'], args: (url, title) => [url, `--mpv-force-media-title=${title}`] },
  mplayer: { binaries: ['mplayer'], args: (url, title) => ['-title', title, url] },
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

/** Starts the player; resolves with its exit once it ends. Throws when it is not installed. */
export function launchPlayer(
  player: PlayerName,
  url: string,
  title: string,
): { pid: number; exited: Promise<number | null> } {
  const binary = findPlayer(player);
  if (!binary) throw new Error(`${player} is not installed; ${installedHint()}`);
  const child = spawn(binary, players[player].args(url, title), { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  return { pid: child.pid ?? -1, exited };
}
