/**
 * How much a .torrent (or a magnet's metadata) holds, counted before anything builds it. parse-torrent and
 * webtorrent make objects per file and a hex string per piece on the event loop: 100 000 files held it for
 * tens of seconds. This is one pass over the bencoded bytes that allocates nothing per item, so the limits
 * (TORRENT_LIMITS) are checked first, with a clear answer: 413 past a count, 400 for an absurd name.
 */
import { TorrentInputError } from './errors.js';

export const TORRENT_LIMITS = {
  /** Far beyond a season or a discography; a few hundred milliseconds of webtorrent's work. */
  maxFiles: 10_000,
  /** 2^17: 32 GiB in 256 KiB pieces, 2 TiB in 16 MiB ones. */
  maxPieces: 131_072,
  /** Bytes of the torrent's name or of one part of a file's path (file systems allow 255). */
  maxNameBytes: 1024,
} as const;

export interface TorrentShape {
  /** Entries of info.files (0 for a single-file torrent). */
  files: number;
  /** info.pieces holds 20 bytes per piece. */
  pieces: number;
  /** Bytes of the longest of info.name and the parts of the files' paths. */
  longestName: number;
}

/** Deeper than any .torrent nests (dict › info › files › file › path › part is 5). */
const MAX_DEPTH = 32;

/** Thrown to stop a walk that has counted enough. */
const ENOUGH = Symbol('enough');

/**
 * The counts of bencoded torrent `bytes`; throws an Error saying what is malformed bencode (fields of
 * unexpected types are parse-torrent's to report). Counting files stops one past `maxFiles` (the rest
 * would only cost time): `files` is then `maxFiles + 1`.
 */
export function torrentShape(bytes: Uint8Array, maxFiles = Number.POSITIVE_INFINITY): TorrentShape {
  const reader = new Reader(bytes);
  const shape: TorrentShape = { files: 0, pieces: 0, longestName: 0 };
  const name = (depth: number) => {
    shape.longestName = Math.max(shape.longestName, reader.stringLength(depth));
  };
  const file = (key: string) => {
    if (key === 'path' || key === 'path.utf-8') reader.list(4, () => name(5));
    else reader.skip(4);
  };
  const info = (key: string) => {
    if (key === 'pieces') shape.pieces = Math.ceil(reader.stringLength(2) / 20);
    else if (key === 'name' || key === 'name.utf-8') name(2);
    else if (key === 'files') {
      reader.list(2, () => {
        if (++shape.files > maxFiles) throw ENOUGH;
        reader.dict(3, file);
      });
    } else reader.skip(2);
  };
  try {
    // An info dictionary elsewhere than at the top is not one.
    reader.dict(0, (key) => (key === 'info' ? reader.dict(1, info) : reader.skip(1)));
  } catch (err) {
    if (err !== ENOUGH) throw err;
  }
  return shape;
}

/** The TorrentInputError a user sees when `bytes` hold more than TORRENT_LIMITS allow (or are malformed). */
export function limitError(bytes: Uint8Array, origin: string): TorrentInputError | null {
  let shape: TorrentShape;
  const { maxFiles, maxPieces, maxNameBytes } = TORRENT_LIMITS;
  try {
    shape = torrentShape(bytes, maxFiles);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return new TorrentInputError(`${origin} is not a valid .torrent file: ${why}`, 'INVALID_SOURCE', {
      cause: err,
    });
  }
  if (shape.files > maxFiles) {
    return new TorrentInputError(`${origin} has over ${maxFiles} files, more than are accepted`, 'TOO_LARGE');
  }
  if (shape.pieces > maxPieces) {
    return new TorrentInputError(
      `${origin} has ${shape.pieces} pieces; at most ${maxPieces} are accepted`,
      'TOO_LARGE',
    );
  }
  if (shape.longestName > maxNameBytes) {
    return new TorrentInputError(
      `${origin} has a name of ${shape.longestName} bytes; at most ${maxNameBytes} are accepted`,
      'INVALID_SOURCE',
    );
  }
  return null;
}

/** A cursor over bencode that checks as it goes and keeps nothing. */
class Reader {
  #at = 0;

  readonly #text: Buffer;

  constructor(private readonly bytes: Uint8Array) {
    this.#text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A string's length, skipping it (0 for a value of another type, skipped too). */
  stringLength(depth: number): number {
    const byte = this.#peek();
    if (byte < 0x30 || byte > 0x39) {
      this.skip(depth);
      return 0;
    }
    const [start, end] = this.#string();
    return end - start;
  }

  /** Each item of a list (`item` must consume it); a value of another type is skipped. */
  list(depth: number, item: () => void): void {
    if (!this.#open(0x6c, depth)) return;
    while (this.#peek() !== 0x65) item();
    this.#at++;
  }

  /**
   * Each entry of a dictionary: `entry` gets its key (as Latin-1) and must consume its value. A value of
   * another type is skipped: parse-torrent says better what a torrent's fields should be.
   */
  dict(depth: number, entry: (key: string) => void): void {
    if (!this.#open(0x64, depth)) return;
    while (this.#peek() !== 0x65) {
      const [start, end] = this.#string();
      entry(end - start <= 16 ? this.#text.toString('latin1', start, end) : '');
    }
    this.#at++;
  }

  skip(depth: number): void {
    const byte = this.#peek();
    if (byte === 0x69) this.#integer();
    else if (byte === 0x6c) this.list(depth, () => this.skip(depth + 1));
    else if (byte === 0x64) this.dict(depth, () => this.skip(depth + 1));
    else if (byte >= 0x30 && byte <= 0x39) this.#string();
    else this.#fail('not a bencoded value');
  }

  /** Enters the list or dictionary `marker` opens; false (and the value skipped) when another is next. */
  #open(marker: number, depth: number): boolean {
    if (depth > MAX_DEPTH) this.#fail(`nested deeper than ${MAX_DEPTH}`);
    if (this.#peek() !== marker) {
      this.skip(depth);
      return false;
    }
    this.#at++;
    return true;
  }

  /** The next byte; past the end is malformed, since every value ends inside the input. */
  #peek(): number {
    const byte = this.bytes[this.#at];
    if (byte === undefined) this.#fail('the data ends early');
    return byte;
  }

  #string(): [number, number] {
    const length = this.#digits(0x3a, 15);
    const start = this.#at;
    if (start + length > this.bytes.length) this.#fail('a string runs past the end');
    this.#at += length;
    return [start, this.#at];
  }

  #integer(): void {
    this.#at++;
    if (this.#peek() === 0x2d) this.#at++;
    this.#digits(0x65, 20);
  }

  /** At most `max` decimal digits up to `end` (consumed); their value. */
  #digits(end: number, max: number): number {
    let value = 0;
    let count = 0;
    for (let byte = this.#peek(); byte !== end; byte = this.#peek()) {
      if (byte < 0x30 || byte > 0x39 || ++count > max) this.#fail('a malformed number');
      value = value * 10 + (byte - 0x30);
      this.#at++;
    }
    if (count === 0) this.#fail('a malformed number');
    this.#at++;
    return value;
  }

  #fail(why: string): never {
    throw new Error(`${why} at byte ${this.#at}`);
  }
}
