/**
 * What the catalog remembers of stream starts (docs/api.md, `lastStart`): when each torrent was added
 * through it, the last start of each entry with its phases, and who waits for a file's first byte. It lives
 * here because a start spans both sides: the torrent's add and metadata, the server's probe and output.
 */
import type { DataSource } from '../stream/data-source.js';

/** Milliseconds from the start's reference time (see src/server/start-phases.ts). */
export interface StartPhases {
  added?: number;
  metadata?: number;
  firstByte?: number;
  probed?: number;
  firstOut?: number;
}

export interface LastStart {
  /** When the start was asked for (ISO 8601). */
  at: string;
  file: number;
  mode: 'direct' | 'remux' | 'transcode' | 'hls';
  phases: StartPhases;
}

export class StartLedger {
  private readonly added = new Map<string, number>();
  private readonly last = new Map<string, LastStart>();
  private readonly readWaiters = new Map<string, Set<() => void>>();

  noteAdded(infoHash: string): void {
    this.added.set(infoHash, Date.now());
  }

  /** When the torrent was added through this catalog (this process); undefined for older ones. */
  addedAt(infoHash: string): number | undefined {
    return this.added.get(infoHash);
  }

  publish(infoHash: string, start: LastStart): void {
    this.last.set(infoHash, start);
  }

  lastStart(infoHash: string): LastStart | undefined {
    return this.last.get(infoHash);
  }

  forget(infoHash: string): void {
    this.added.delete(infoHash);
    this.last.delete(infoHash);
  }

  /** Calls `listener` once, on the next successful read of the file by any reader; returns a cancel. */
  onNextRead(infoHash: string, index: number, listener: () => void): () => void {
    const key = `${infoHash}/${index}`;
    const waiters = this.readWaiters.get(key) ?? new Set<() => void>();
    this.readWaiters.set(key, waiters);
    waiters.add(listener);
    return () => {
      waiters.delete(listener);
      if (waiters.size === 0 && this.readWaiters.get(key) === waiters) this.readWaiters.delete(key);
    };
  }

  /** The source, telling the file's read waiters when bytes come back (the probe's reads count too). */
  watch(source: DataSource, infoHash: string, index: number): DataSource {
    const key = `${infoHash}/${index}`;
    return afterReads(source, () => {
      const waiters = this.readWaiters.get(key);
      if (!waiters) return;
      this.readWaiters.delete(key);
      for (const waiter of waiters) waiter();
    });
  }
}

/**
 * `source` with `onRead` called after every read that returned bytes. A Proxy rather than a wrapper object:
 * whatever else the source is (its class, its other members) stays visible to whoever checks.
 */
export function afterReads(source: DataSource, onRead: () => void): DataSource {
  const read: DataSource['read'] = async (offset, length, options) => {
    const bytes = await source.read(offset, length, options);
    if (bytes.length > 0) onRead();
    return bytes;
  };
  return new Proxy(source, {
    get(target, property) {
      if (property === 'read') return read;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
