/** The system's nginx: --nginx, else `nginx` on PATH, else where distributions put it (often not on PATH). */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const usual = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function locateNginx(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const onPath = (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'nginx'));
  return [...onPath, ...usual].find(executable);
}

export function checkNginx(path: string): string {
  if (!executable(path)) throw new Error(`${path} is not an executable nginx`);
  return path;
}
