/**
 * A DataSource over a file on disk through one kept-open descriptor. A file that is still growing (a
 * download in progress, `expectedSize` > current size) makes reads past its end wait until the bytes land:
 * woken by fs.watch, with a slow re-check because fs.watch can miss events (network filesystems, editors).
 */
import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename } from 'node:path';
import { abortableWait } from './abort.js';
import { type DataSource, DataSourceError, type ReadOptions } from './data-source.js';

const SAFETY_RECHECK_MS = 1000;

interface Waiter {
  end: number;
  wake: () => void;
}

export class LocalFileSource implements DataSource {
  readonly name: string;
  #current: number;
  #watcher: FSWatcher | null = null;
  #recheck: NodeJS.Timeout | null = null;
  #waiters = new Set<Waiter>();
  #closed = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    readonly size: number,
    current: number,
  ) {
    this.name = basename(path);
    this.#current = current;
  }

  static async open(path: string, opts: { expectedSize?: number } = {}): Promise<LocalFileSource> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new LocalFileSource(handle, path, Math.max(opts.expectedSize ?? size, size), size);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async read(offset: number, length: number, options: ReadOptions = {}): Promise<Buffer> {
    const end = Math.min(offset + length, this.size);
    if (length <= 0 || offset >= this.size) return Buffer.alloc(0);
    if (this.#closed) throw new DataSourceError(`${this.name} is closed`, 'CLOSED');
    if (end > this.#current) await this.#waitFor(end, options.signal);
    // Unzeroed: every byte is overwritten below or the read throws, and zero-filling is a real share of
    // the pump's CPU.
    const buffer = Buffer.allocUnsafe(end - offset);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await this.handle.read(buffer, filled, buffer.length - filled, offset + filled);
      if (bytesRead === 0) throw new DataSourceError(`${this.name} shrank while reading`, 'SHORT_READ');
      filled += bytesRead;
    }
    return buffer;
  }

  /** The path once the file has all its bytes: not while it grows towards `expectedSize`. */
  completePath(): string | null {
    return !this.#closed && this.#current >= this.size ? this.path : null;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of [...this.#waiters]) w.wake();
    this.#stopWatching();
    await this.handle.close();
  }

  #waitFor(end: number, signal?: AbortSignal): Promise<void> {
    return abortableWait<void>(signal, (resolve, reject) => {
      const waiter: Waiter = {
        end,
        wake: () => {
          if (this.#closed) reject(new DataSourceError(`${this.name} is closed`, 'CLOSED'));
          else if (this.#current >= end) resolve();
        },
      };
      this.#waiters.add(waiter);
      this.#startWatching();
      void this.#refresh(); // the bytes may have landed between the caller's check and the watch
      return () => {
        this.#waiters.delete(waiter);
        if (this.#waiters.size === 0) this.#stopWatching();
      };
    });
  }

  #startWatching(): void {
    if (this.#watcher) return;
    this.#watcher = watch(this.path, { persistent: true }, () => void this.#refresh());
    this.#watcher.on('error', () => undefined); // the safety re-check carries on without it
    this.#recheck = setInterval(() => void this.#refresh(), SAFETY_RECHECK_MS);
  }

  #stopWatching(): void {
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#recheck) clearInterval(this.#recheck);
    this.#recheck = null;
  }

  async #refresh(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#current = Math.max(this.#current, (await this.handle.stat()).size);
    } catch {
      return; // closed under us; close() woke the waiters
    }
    for (const w of [...this.#waiters]) w.wake();
  }
}
