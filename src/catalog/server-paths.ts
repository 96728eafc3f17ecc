/**
 * Error messages reach clients (the API's `error`, a torrent's `error`), and Node's file-system errors quote
 * the absolute path they failed on, which tells a client where the server keeps its files and whose account
 * runs it. Messages shown outside name files relative to their torrent, or by their base name.
 */
import { basename, sep } from 'node:path';

const QUOTED_ABSOLUTE_PATH = /'(\/[^']*|[A-Za-z]:\\[^']*)'/g;

/** `message` with `root/` dropped from paths under it and every other quoted absolute path cut to its name. */
export function hideServerPaths(message: string, root?: string): string {
  const relative = root ? message.split(`${root}${sep}`).join('') : message;
  return relative.replace(QUOTED_ABSOLUTE_PATH, (_, path: string) => `'${basename(path)}'`);
}
