/**
 * Open files for the torrents' stores, at most `max` at once across the process. A store that kept one
 * descriptor per file for its torrent's lifetime ran the process out of them (EMFILE under the common
 * `ulimit -n 1024`) with one torrent of a few thousand small files. The least recently used idle
 * descriptor is closed to make room; one in use stays open until its operation ends; when every one is in
 * use, operations wait for one. No operation holds a descriptor while it waits for another, so waiting
 * always ends.
 */
import { constants } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Far below the usual 1024, leaving the rest to peers, HTTP clients and FFmpeg pipes. */
export const DEFAULT_MAX_OPEN_FILES = 128;

interface Entry {
  handle: Promise<FileHandle>;
  users: number;
  /** Taken out of the pool (its files closed): closed once its last user is done. */
  retired: boolean;
}

export class DescriptorPool {
  /** Least recently used first. */
  readonly #entries = new Map<string, Entry>();
  /** Out of the map but not closed yet (closing, or retired and in use): they count too. */
  #leaving = 0;
  readonly #waiters: Array<() => void> = [];

  constructor(readonly max: number = DEFAULT_MAX_OPEN_FILES) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, not ${max}`);
  }

  /** Descriptors open, opening or closing. */
  get size(): number {
    return this.#entries.size + this.#leaving;
  }

  /**
   * Runs `work` with `path` open for reading and writing; with `create`, the file (and its folder) is
   * created when missing, else a missing file rejects with ENOENT.
   */
  async use<T>(path: string, create: boolean, work: (file: FileHandle) => Promise<T>): Promise<T> {
    const entry = await this.#acquire(path, create);
    try {
      return await work(await entry.handle);
    } finally {
      entry.users--;
      if (entry.retired && entry.users === 0) void this.#close(entry);
      else this.#wake();
    }
  }

  /** Closes `paths`' descriptors: now when idle, else once their operations end. */
  async close(paths: Iterable<string>): Promise<void> {
    const closing: Array<Promise<void>> = [];
    for (const path of paths) {
      const entry = this.#entries.get(path);
      if (!entry) continue;
      this.#entries.delete(path);
      this.#leaving++;
      entry.retired = true;
      if (entry.users === 0) closing.push(this.#close(entry));
    }
    await Promise.all(closing);
  }

  async #acquire(path: string, create: boolean): Promise<Entry> {
    for (;;) {
      const known = this.#entries.get(path);
      if (known) {
        // Most recently used: last in the map's order.
        this.#entries.delete(path);
        this.#entries.set(path, known);
        known.users++;
        try {
          await known.handle;
          return known;
        } catch (err) {
          known.users--;
          // Another caller's open without `create` found no file: this one may create it.
          if (create && isMissing(err)) continue;
          throw err;
        }
      }
      if (this.size < this.max) return this.#open(path, create);
      const idle = this.#leastRecentlyUsedIdle();
      if (idle) {
        this.#entries.delete(idle[0]);
        this.#leaving++;
        await this.#close(idle[1]);
        continue;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  async #open(path: string, create: boolean): Promise<Entry> {
    const entry: Entry = { handle: openFile(path, create), users: 1, retired: false };
    this.#entries.set(path, entry);
    try {
      await entry.handle;
      return entry;
    } catch (err) {
      if (this.#entries.get(path) === entry) this.#entries.delete(path);
      this.#wake();
      throw err;
    }
  }

  /** Closes an entry already out of the map (counted in #leaving). */
  async #close(entry: Entry): Promise<void> {
    await closeEntry(entry);
    this.#leaving--;
    this.#wake();
  }

  #leastRecentlyUsedIdle(): [string, Entry] | undefined {
    for (const pair of this.#entries) if (pair[1].users === 0) return pair;
    return undefined;
  }

  /** One descriptor came free: one waiter takes it (waking them all costs each of them a look, every time). */
  #wake(): void {
    this.#waiters.shift()?.();
  }
}

async function openFile(path: string, create: boolean): Promise<FileHandle> {
  if (!create) return open(path, constants.O_RDWR);
  await mkdir(dirname(path), { recursive: true });
  return open(path, constants.O_RDWR | constants.O_CREAT);
}

async function closeEntry(entry: Entry): Promise<void> {
  try {
    await (await entry.handle).close();
  } catch {
    // never opened, or already closed: nothing to let go of
  }
}

export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}
