/** Launches an external player on the stream URL, found on PATH, without a shell. */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type PlayerName = 'mpv' | 'vlc';

export function findOnPath(command: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

function playerArgs(player: PlayerName, url: string, title: string): string[] {
  // The title travels as one argv entry: no shell ever sees a torrent-supplied name.
  return player === 'mpv' ? [`--force-media-title=${title}`, url] : [url, `--meta-title=${title}`];
}

/** Starts the player; resolves with its exit once it ends. Throws when it is not installed. */
export function launchPlayer(
  player: PlayerName,
  url: string,
  title: string,
): { pid: number; exited: Promise<number | null> } {
  const binary = findOnPath(player);
  if (!binary)
    throw new Error(
      `${player} is not installed (not found on PATH); open the stream URL in any player instead`,
    );
  const child = spawn(binary, playerArgs(player, url, title), { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  return { pid: child.pid ?? -1, exited };
}
