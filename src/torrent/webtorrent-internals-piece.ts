/**
 * Part of the webtorrent adapter (webtorrent-internals.ts, which checks the version and every private member
 * used here before first use): a downloaded piece's blocks as they arrive (torrent-piece's Piece, whose
 * completion piece verification takes over) and how a verified piece is handed to the chunk stores. Pinned by
 * the contract test test/torrent/piece-verify.test.ts.
 */
import type { PieceBuffers } from './piece-buffers.js';

/** torrent-piece's block size. */
export const BLOCK = 16 * 1024;

/** torrent-piece's Piece: the blocks of one piece as they arrive. */
export interface Piece {
  readonly length: number;
  set(block: number, data: Uint8Array, source: unknown): boolean;
  get(block: number): Uint8Array | null | undefined;
  flush(): Uint8Array;
}

/** torrent-piece 4's own fields, emptied as its flush() does, without joining the blocks. */
interface PieceFields {
  _buffer: Array<Uint8Array | undefined> | null;
  _cancellations: unknown;
  _flushed: boolean;
  sources: unknown;
}

/** A complete piece, taken from webtorrent. */
export interface TakenPiece {
  /** Its blocks, in order. */
  blocks: Uint8Array[];
  /** Who sent each block: the wire (webtorrent's source, or the one a handed-over block came from). */
  senders: unknown[];
  /** Its bytes as one view of `buffer`, when every block was copied there. */
  bytes?: Buffer;
  /** The pooled buffer its blocks were copied into, to give back once nothing holds a view of it. */
  buffer?: Buffer;
}

/** Blocks given to another wire's request (answerRequest), by who actually sent them. */
const handedOver = new WeakMap<Uint8Array, unknown>();

/**
 * Records that `chunk`, about to answer some other wire's request, came from `sender`: webtorrent names the
 * wire whose request it answers as the block's source, and a corrupt block must be blamed on its sender.
 */
export function sentBy(chunk: Uint8Array, sender: unknown): void {
  handedOver.set(chunk, sender);
}

/**
 * Follows `piece` as its blocks arrive: each block is copied into a buffer from `pool` and the piece keeps
 * that copy (a block it has already is left as it is: the first copy counts); `hash` is given the blocks in
 * order, one that comes early once those before it are in. Once the last is in, the piece is emptied and
 * reported incomplete to webtorrent, which then neither hashes it nor asks for it again (an emptied piece
 * takes no reservations), and `complete` gets it.
 */
export function collectPiece(
  piece: Piece,
  pool: PieceBuffers,
  hash: (block: Uint8Array) => void,
  complete: (taken: TakenPiece) => void,
): void {
  const blocks = Math.ceil(piece.length / BLOCK);
  const senders: unknown[] = [];
  let buffer: Buffer | undefined;
  let hashed = 0;
  const set = piece.set;
  piece.set = (block, data, source) => {
    const at = block * BLOCK;
    const last = block + Math.ceil(data.length / BLOCK);
    let kept = data;
    let fresh = hashed < blocks && at + data.length <= piece.length && pool.length >= piece.length;
    for (let i = block; i < last && fresh; i++) fresh = !piece.get(i);
    if (fresh) {
      const sender = handedOver.get(data) ?? source;
      for (let i = block; i < last; i++) senders[i] = sender;
      buffer ??= pool.take();
      kept = buffer.subarray(at, at + data.length);
      kept.set(data);
    }
    const done = set.call(piece, block, kept, source);
    for (let next = piece.get(hashed); next && hashed < blocks; next = piece.get(++hashed)) hash(next);
    if (!done) return false;
    const taken = takeBlocks(piece);
    const whole = buffer?.subarray(0, piece.length);
    const copied =
      whole &&
      taken.every((b, i) => b.buffer === whole.buffer && b.byteOffset === whole.byteOffset + i * BLOCK);
    complete({ blocks: taken, senders, bytes: copied ? whole : undefined, buffer });
    buffer = undefined;
    return false;
  };
}

function isTorrentPiece(piece: object): piece is Piece & PieceFields {
  const p = piece as Partial<PieceFields>;
  return (
    Array.isArray(p._buffer) && typeof p._flushed === 'boolean' && '_cancellations' in p && 'sources' in p
  );
}

/** A complete piece's blocks, the piece left empty as flush() leaves it (flush itself, on another Piece). */
function takeBlocks(piece: Piece): Uint8Array[] {
  if (!isTorrentPiece(piece)) return [piece.flush()];
  const blocks = piece._buffer as Uint8Array[];
  piece._buffer = null;
  piece._cancellations = null;
  piece.sources = null;
  piece._flushed = true;
  return blocks;
}

type Callback<T> = (err: Error | null, value?: T) => void;

export interface ChunkStore {
  get(i: number, o: object, cb: Callback<Uint8Array>): void;
  put(i: number, b: Uint8Array, cb: Callback<void>): void;
  /** Our file store's (file-store.ts): the piece as its blocks, written without joining them. */
  putBlocks?(i: number, blocks: readonly Uint8Array[], cb: Callback<void>): void;
}

interface Wrapper {
  store: Partial<Wrapper> & ChunkStore;
  mem: unknown;
  cache: { remove(i: number): void };
}

/**
 * Stores a piece. webtorrent's store is its wrappers (immediate-chunk-store: a put's buffer answers reads until
 * written; cache-chunk-store: pieces read lately) around ours. A valid piece is not verified, so not read,
 * until written, so its blocks go straight to our store's putBlocks, and the cache forgets the index as its
 * put would: true, and once `cb` is called without an error nothing holds the blocks. Any other store, or a
 * wrapper not known, gets the joined piece through the wrappers: false.
 */
export function storePiece(
  store: ChunkStore,
  index: number,
  blocks: Uint8Array[],
  cb: Callback<void>,
): boolean {
  const caches: Array<{ remove(i: number): void }> = [];
  let inner: Partial<Wrapper> & ChunkStore = store;
  for (; inner.store; inner = inner.store) {
    if (typeof inner.cache?.remove === 'function') caches.push(inner.cache);
    else if (!Array.isArray(inner.mem)) break; // not immediate-chunk-store either: a wrapper not known
  }
  if (inner.store || typeof inner.putBlocks !== 'function') {
    store.put(index, join(blocks), cb);
    return false;
  }
  for (const cache of caches) cache.remove(index);
  inner.putBlocks(index, blocks, cb);
  return true;
}

export const join = (blocks: Uint8Array[]) => (blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks));
