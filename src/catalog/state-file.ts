/**
 * The state file on disk, written so that no crash, full disk or bad write costs the last good copy:
 * - a write goes to `<file>.<pid>.tmp`, is flushed to disk, then renamed over the file; a failed write
 *   removes its temporary file;
 * - before the rename, the file being replaced becomes the backup `<file>.bak` (a hard link, else a copy), so a
 *   new file that turns out bad (truncated by a crash, a bug) still has the previous generation beside it;
 * - a file that cannot be read is never overwritten: it is moved aside to `<file>.unreadable-<time>` first,
 *   and when even that fails, nothing is written over it.
 */
import { copyFile, link, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export type StateRead =
  | { kind: 'absent' }
  | { kind: 'read'; value: unknown }
  | { kind: 'unreadable'; why: string };

export function backupPath(path: string): string {
  return `${path}.bak`;
}

/** The parsed JSON of `path`; absent only when there is no file at all. */
export async function readStateFile(path: string): Promise<StateRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    return code === 'ENOENT' ? { kind: 'absent' } : { kind: 'unreadable', why: code ?? message };
  }
  try {
    return { kind: 'read', value: JSON.parse(text) };
  } catch (err) {
    return { kind: 'unreadable', why: text.length === 0 ? 'it is empty' : (err as Error).message };
  }
}

/** Renames an unreadable file out of the way (kept for the user); the new name, or throws. */
export async function moveAside(path: string): Promise<string> {
  const aside = `${path}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, aside);
  return aside;
}

/** Replaces `path` with `body` (a new file gets `mode`), keeping the file it replaces as the backup. */
export async function writeStateFile(path: string, body: string, mode?: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const file = await open(tmp, 'w', mode);
    try {
      await file.writeFile(body);
      await file.sync();
    } finally {
      await file.close();
    }
    await keepBackup(path);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/** Makes the current file (if any) the backup, atomically: the old backup stays whole until replaced. */
async function keepBackup(path: string): Promise<void> {
  const tmp = `${backupPath(path)}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  try {
    await link(path, tmp);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return; // the first write: nothing to keep
    await copyFile(path, tmp); // a file system without hard links
  }
  try {
    await rename(tmp, backupPath(path));
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/** Removes temporary files of `path` that a process which is gone left behind (a crash mid-write). */
export async function removeStaleTemps(path: string): Promise<void> {
  const name = basename(path).replace(/[.]/g, '\\.');
  const temp = new RegExp(`^${name}(?:\\.bak)?\\.(\\d+)\\.tmp$`);
  const dir = dirname(path);
  for (const entry of await readdir(dir).catch(() => [])) {
    const pid = Number(temp.exec(entry)?.[1]);
    if (pid && (pid === process.pid || !alive(pid)))
      await rm(join(dir, entry), { force: true }).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
