/**
 * The chunk store webtorrent writes each torrent through (abstract-chunk-store: put, get, close, destroy by
 * piece): the torrent's files under its own folder only (safe-path.ts), through the process's
 * DescriptorPool instead of a descriptor per file for the torrent's lifetime. A file not on disk yet is
 * remembered as missing, so checking a torrent's pieces at start costs one failed open per file, not one
 * per piece; callbacks then come on a later turn of the event loop, so half a million pieces checked
 * against nothing never hold it.
 */
import type { FileHandle } from 'node:fs/promises';
import { rm } from 'node:fs/promises';
import { DescriptorPool, isMissing } from './descriptor-pool.js';
import { confine, safeFilePaths } from './safe-path.js';

/** One pool for every torrent: the bound is the process's. */
const sharedPool = new DescriptorPool();

type Callback<T = void> = (err: Error | null, value?: T) => void;

interface StoreFile {
  path: string;
  offset: number;
  length: number;
}

/** The part of a file that a byte range of the torrent covers. */
interface Slice {
  file: StoreFile;
  /** Where in the file. */
  position: number;
  /** Where in the range. */
  from: number;
  length: number;
}

interface StoreOptions {
  files: Array<{ path: string; length: number; offset: number }>;
  length?: number;
}

/** A chunk-store class for webtorrent's `store` option, writing the torrent's files under `root` only. */
export function fileStore(root: string, pool: DescriptorPool = sharedPool) {
  return class ConfinedFileStore extends FileStore {
    constructor(chunkLength: number, options: StoreOptions) {
      super(root, pool, chunkLength, options);
    }
  };
}

export class FileStore {
  readonly chunkLength: number;
  readonly length: number;
  readonly #files: StoreFile[];
  readonly #pool: DescriptorPool;
  /** Files found absent and not written since: reads of them fail without a system call. */
  readonly #missing = new Set<string>();
  /** Puts begun, and those not done: a read that found a file absent while one ran may have raced it. */
  #puts = 0;
  #writing = 0;
  #closed = false;

  constructor(root: string, pool: DescriptorPool, chunkLength: number, options: StoreOptions) {
    this.chunkLength = Number(chunkLength);
    if (!(this.chunkLength > 0)) throw new Error('a chunk store needs a positive chunk length');
    const safe = safeFilePaths(options.files.map((file) => file.path));
    this.#files = options.files.map((file, i) => ({
      path: confine(root, safe[i]!),
      offset: file.offset,
      length: file.length,
    }));
    this.length = this.#files.reduce((sum, file) => sum + file.length, 0);
    if (options.length !== undefined && options.length !== this.length) {
      throw new Error('the files do not add up to the torrent length');
    }
    this.#pool = pool;
  }

  put(index: number, buf: Uint8Array, cb: Callback = () => undefined): void {
    this.putBlocks(index, [buf], cb);
  }

  /**
   * Stores chunk `index` given as consecutive parts (a piece's blocks as they came from the peers), written
   * with one system call per file instead of first joined into one buffer: the join was a copy of every
   * byte, and the fresh buffer it needs costs page faults that make the kernel's copy into the page cache
   * several times slower.
   */
  putBlocks(index: number, blocks: readonly Uint8Array[], cb: Callback = () => undefined): void {
    const expected = this.#chunkSize(index);
    const length = blocks.reduce((sum, block) => sum + block.length, 0);
    const error = this.#closed
      ? closedError()
      : length !== expected && new Error(`chunk ${index} must be ${expected} bytes`);
    if (error) {
      later(cb, error);
      return;
    }
    this.#puts++;
    this.#writing++;
    const start = index * this.chunkLength;
    // Empty files starting here are created too, as a download leaves them.
    const slices = this.#slices(start, start + length, true);
    const writes = slices.map(({ file, position, from, length: bytes }) => {
      this.#missing.delete(file.path);
      return this.#pool.use(file.path, true, (handle) =>
        writeAll(handle, partsIn(blocks, from, bytes), position),
      );
    });
    Promise.all(writes)
      .finally(() => this.#writing--)
      .then(() => cb(null), cb);
  }

  get(
    index: number,
    opts: { offset?: number; length?: number } | null | Callback<Uint8Array>,
    cb?: Callback<Uint8Array>,
  ): void {
    if (typeof opts === 'function') {
      this.get(index, null, opts);
      return;
    }
    if (!cb) throw new TypeError('get needs a callback');
    const size = this.#chunkSize(index);
    const offset = opts?.offset ?? 0;
    const length = opts?.length ?? size - offset;
    const error = this.#closed
      ? closedError()
      : (offset < 0 || length < 0 || offset + length > size) &&
        new Error(`bytes ${offset}+${length} are outside chunk ${index}`);
    if (error || length === 0) {
      later(cb, error || null, new Uint8Array(0));
      return;
    }
    const start = index * this.chunkLength + offset;
    const slices = this.#slices(start, start + length, false);
    if (slices.some(({ file }) => this.#missing.has(file.path))) {
      later(cb, notDownloaded);
      return;
    }
    const out = Buffer.allocUnsafe(length);
    const puts = this.#writing === 0 ? this.#puts : -1;
    const reads = slices.map(({ file, position, from, length: bytes }) =>
      this.#pool
        .use(file.path, false, (handle) => readAll(handle, out.subarray(from, from + bytes), position))
        .catch((err: unknown) => {
          if (isMissing(err) && puts === this.#puts) this.#missing.add(file.path);
          throw err;
        }),
    );
    Promise.all(reads).then(() => cb(null, out), cb);
  }

  close(cb: Callback = () => undefined): void {
    if (this.#closed) {
      later(cb, null);
      return;
    }
    this.#closed = true;
    this.#pool.close(this.#files.map((file) => file.path)).then(
      () => cb(null),
      (err: Error) => cb(err),
    );
  }

  destroy(cb: Callback = () => undefined): void {
    this.close(() => {
      const removals = this.#files.map((file) => rm(file.path, { force: true }));
      Promise.all(removals).then(() => cb(null), cb);
    });
  }

  #chunkSize(index: number): number {
    const last = Math.ceil(this.length / this.chunkLength) - 1;
    return index === last ? this.length - last * this.chunkLength : this.chunkLength;
  }

  /** The files' parts in bytes [start, end) of the torrent, in order; empty files only when `empty`. */
  #slices(start: number, end: number, empty: boolean): Slice[] {
    const files = this.#files;
    // The first file ending at or after `start` (files are in offset order).
    let low = 0;
    let high = files.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (files[mid]!.offset + files[mid]!.length < start) low = mid + 1;
      else high = mid;
    }
    // An empty file at the very end belongs to the last chunk.
    const inside = (offset: number) => offset < end || (offset === end && end === this.length);
    const slices: Slice[] = [];
    for (let i = low; i < files.length && files[i]!.offset <= end; i++) {
      const file = files[i]!;
      const from = Math.max(start, file.offset);
      const to = Math.min(end, file.offset + file.length);
      if (to > from || (empty && file.length === 0 && inside(file.offset))) {
        slices.push({
          file,
          position: from - file.offset,
          from: from - start,
          length: Math.max(0, to - from),
        });
      }
    }
    return slices;
  }
}

const closedError = () => new Error('the store is closed');

/** One error for every read of a file not on disk yet: webtorrent only asks whether there was one. */
const notDownloaded = Object.assign(new Error('not downloaded yet'), { code: 'ENOENT' });

/** The callback on a later turn of the event loop, so a run of instant answers never holds it. */
function later<T>(cb: Callback<T>, err: Error | null, value?: T): void {
  setImmediate(() => cb(err, value));
}

/** The views of `parts` (consecutive) that cover bytes [from, from + length) of their whole. */
function partsIn(parts: readonly Uint8Array[], from: number, length: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const part of parts) {
    const end = at + part.length;
    if (end > from && at < from + length) {
      out.push(part.subarray(Math.max(0, from - at), Math.min(part.length, from + length - at)));
    }
    at = end;
  }
  return out;
}

async function writeAll(handle: FileHandle, parts: Uint8Array[], position: number): Promise<void> {
  const rest = parts.filter((part) => part.length > 0);
  for (let at = position; rest.length > 0; ) {
    let { bytesWritten } = await handle.writev(rest, at);
    at += bytesWritten;
    // A short write: drop what went, keep the rest of a part cut in the middle.
    while (rest.length > 0 && bytesWritten >= rest[0]!.length) bytesWritten -= rest.shift()!.length;
    if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
  }
}

async function readAll(handle: FileHandle, into: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < into.length; ) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error(`the file ends before byte ${position + into.length}`);
    done += bytesRead;
  }
}
