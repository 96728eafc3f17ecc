/**
 * A DataSource: a file of known size whose bytes may arrive later (a torrent, a growing file).
 * `read` resolves only once every requested byte is there — woken by the source, never by a timeout —
 * and rejects with an AbortError when `signal` aborts. The signal also names the reader: sources that
 * prioritise (torrents) keep one readahead window per live signal and drop it when the signal aborts.
 */
export interface ReadOptions {
  signal?: AbortSignal;
  /**
   * Nobody waits on this read yet (bytes wanted for later, such as a container index): a source that
   * prioritises fetches them beside its waiting reads, never before them, and reads no further ahead.
   */
  background?: boolean;
}

/** Hints given when a source is opened; a source may ignore them. */
export interface OpenOptions {
  /**
   * Bytes of this file per second of playback (its average bitrate), once known: a source that reads ahead
   * sizes its window in seconds of media rather than in bytes.
   */
  mediaBytesPerSecond?: number;
}

export interface DataSource {
  /** Total size in bytes (known up front, even when the data is not). */
  readonly size: number;
  /** File name, used as a format hint (extension) and for logs. */
  readonly name: string;
  /**
   * Bytes [offset, offset + length), clipped to `size`. Resolves with fewer bytes only at end of file;
   * `length` 0 or an offset at/after `size` resolves with an empty buffer at once.
   */
  read(offset: number, length: number, options?: ReadOptions): Promise<Buffer>;
  /** Lets go of what the source holds (a descriptor, readahead windows); whoever opened it calls this once. */
  close(): void | Promise<void>;
  /**
   * A plain file holding exactly these `size` bytes, once (and only once) all of them are on disk for good;
   * else null. A reader of the whole file can then be given the file itself instead of copies of it. A
   * wrapper that changes the bytes must not forward it.
   */
  completePath?(): string | null;
}

export class DataSourceError extends Error {
  /** The HTTP answer when this error ends a request (a stopped torrent: 503); unset is an internal error. */
  readonly statusCode?: number;

  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown; statusCode?: number },
  ) {
    super(message, options);
    this.name = 'DataSourceError';
    if (options?.statusCode) this.statusCode = options.statusCode;
  }
}

/** A DataSource over bytes already in memory. */
export function bufferSource(bytes: Buffer, name: string): DataSource {
  return {
    size: bytes.length,
    name,
    read: async (offset, length) => bytes.subarray(offset, Math.min(offset + length, bytes.length)),
    close: () => undefined,
  };
}

/** `source`, telling `counted` the size of each read it answers. */
export function countingReads(source: DataSource, counted: (bytes: number) => void): DataSource {
  return {
    size: source.size,
    name: source.name,
    read: async (offset, length, options) => {
      const bytes = await source.read(offset, length, options);
      counted(bytes.length);
      return bytes;
    },
    close: () => source.close(),
  };
}

export { abortError, isAbortError } from './abort.js';
