/**
 * Part of the webtorrent adapter (webtorrent-internals.ts, which checks the version and every private member
 * used here before first use): webtorrent's piece verification, replaced. Pinned by the contract test
 * test/torrent/piece-verify.test.ts.
 */
import type { Torrent } from 'webtorrent';
import { verificationInternals } from './webtorrent-internals.js';

/** A digest of one downloaded piece: given its blocks in order, then asked once. */
export interface PieceDigest {
  update(block: Uint8Array): void;
  /** Whether the blocks given are the piece whose SHA-1 (hex, from the metadata) is `expected`. */
  matches(expected: string): Promise<boolean>;
}

export interface PieceVerifier {
  /** Decides a whole piece read from disk. */
  whole(data: Uint8Array, expected: string): Promise<boolean>;
  /** A digest for a piece about to be downloaded. */
  incremental(): PieceDigest;
}

/** torrent-piece's Piece: the blocks of one piece as they arrive. */
interface Piece {
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

type Callback<T> = (err: Error | null, value?: T) => void;

interface ChunkStore {
  get(i: number, o: object, cb: Callback<Uint8Array>): void;
  put(i: number, b: Uint8Array, cb: Callback<void>): void;
  /** Our file store's (file-store.ts): the piece as its blocks, written without joining them. */
  putBlocks?(i: number, blocks: readonly Uint8Array[], cb: Callback<void>): void;
}

interface VerifyInternals {
  destroyed: boolean;
  pieces: Array<Piece | null>;
  lastPieceLength: number;
  _hashes?: string[];
  /** Set from the startup bitfield before 'metadata': whether to check only a sample of what it marks. */
  _hasStartupBitfield?: unknown;
  store: ChunkStore;
  wires: Array<{ have(index: number): void }>;
  _request(wire: unknown, index: number, hotswap: boolean): boolean;
  _verifyPiece(index: number, cb: Callback<boolean>): void;
  _markVerified(index: number): void;
  _checkDone(): void;
  _update(): void;
  _destroy(err: Error): void;
  emit(event: 'warning', err: Error): boolean;
}

/** torrent-piece's block size. */
const BLOCK = 16 * 1024;

/** Pieces whose completion verifyPiecesWith has taken over. */
const takenOver = new WeakSet<Piece>();

/** Told of each piece that passed its check, once its bytes can be read through the torrent's store. */
export type ReadableListener = (index: number) => void;
const readableListeners = new WeakMap<Torrent, Set<ReadableListener>>();

/**
 * Calls `listener` with each downloaded piece of `torrent` that passed its check, as soon as its bytes can
 * be read through `torrent.store`. A piece a read waits on is readable before it is written and marked
 * verified: it goes through webtorrent's store, whose immediate-chunk-store answers reads from memory while
 * the write is under way (a failed write destroys the torrent, so nothing is read from a piece that did not
 * reach the disk). Any other piece is readable once written. Returns a function that stops the calls.
 */
export function onPieceReadable(torrent: Torrent, listener: ReadableListener): () => void {
  const listeners = readableListeners.get(torrent) ?? new Set<ReadableListener>();
  readableListeners.set(torrent, listeners);
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Has `verifier` decide every piece of `torrent` instead of webtorrent's SHA-1 of the joined piece on the
 * event loop: the pieces it downloads (each hashed as its blocks arrive, taken from webtorrent once the last
 * is in, and stored as its blocks) and the data it checks on disk at start. What follows is webtorrent's own:
 * a valid piece is stored, marked verified ('verified') and announced to the peers; an invalid one is
 * dropped, to be downloaded again, with the same 'warning' ("Piece N failed verification"). A valid piece
 * `waited` names goes through webtorrent's store instead, readable at once (onPieceReadable). Call it before
 * the metadata is in.
 */
export function verifyPiecesWith(
  torrent: Torrent,
  verifier: PieceVerifier,
  waited: (index: number) => boolean = () => false,
): void {
  const t = verificationInternals<VerifyInternals>(torrent);
  const expected = (index: number) => t._hashes?.[index] ?? '';
  const readable = (index: number) => {
    for (const listener of readableListeners.get(torrent) ?? []) listener(index);
  };
  const settle = (index: number, piece: Piece, blocks: Uint8Array[], valid: boolean) => {
    if (t.destroyed || t.pieces[index] !== piece) return; // closed, or the piece was reset meanwhile
    if (!valid) {
      t.pieces[index] = new (piece.constructor as new (length: number) => Piece)(piece.length);
      t.emit('warning', new Error(`Piece ${index} failed verification`));
      return queueMicrotask(() => t._update());
    }
    const early = waited(index);
    const stored = (err: Error | null) => {
      if (t.destroyed) return;
      if (err) return t._destroy(err);
      if (!early) readable(index);
      t._markVerified(index);
      for (const wire of t.wires) wire.have(index);
      t._checkDone();
      queueMicrotask(() => t._update());
    };
    if (!early) return storePiece(t.store, index, blocks, stored);
    // Joined (one copy) so that webtorrent's immediate store can answer the waiting read from memory now.
    t.store.put(index, join(blocks), stored);
    readable(index);
  };
  // A piece is taken over when first requested (its blocks all arrive through the requests webtorrent
  // makes in _request, web seeds' too), so only pieces in flight carry the wrapper. Once complete it is
  // emptied here and reported incomplete to webtorrent, which then neither hashes it nor asks for it again
  // (an emptied piece takes no reservations) until settle replaces or clears it.
  const follow = (index: number, piece: Piece) => {
    const digest = verifier.incremental();
    const blocks = Math.ceil(piece.length / BLOCK);
    let hashed = 0;
    const set = piece.set;
    piece.set = (block, data, source) => {
      const complete = set.call(piece, block, data, source);
      // Blocks mostly come in order; one that comes early waits for those before it.
      for (let next = piece.get(hashed); next && hashed < blocks; next = piece.get(++hashed)) {
        digest.update(next);
      }
      if (!complete) return false;
      const whole = takeBlocks(piece);
      void digest
        .matches(expected(index))
        .catch(() => false)
        .then((valid) => settle(index, piece, whole, valid));
      return false;
    };
  };
  const request = t._request;
  t._request = (wire, index, hotswap) => {
    const piece = t.pieces[index];
    if (piece && !takenOver.has(piece)) {
      takenOver.add(piece);
      follow(index, piece);
    }
    return request.call(t, wire, index, hotswap);
  };
  t._verifyPiece = (index, cb) => {
    if (t.destroyed) return cb(new Error('torrent is destroyed'));
    // The last piece is read at its own length: the store may pad it.
    t.store.get(index, index === t.pieces.length - 1 ? { length: t.lastPieceLength } : {}, (err, data) => {
      if (t.destroyed) return cb(new Error('torrent is destroyed'));
      if (err || !data) return queueMicrotask(() => cb(null, false));
      void verifier
        .whole(data, expected(index))
        .catch(() => false)
        .then((valid) => cb(null, valid));
    });
  };
}

/**
 * Has `torrent` (added without a saved bitfield, before its metadata) start with every piece missing, without
 * asking the store for each one first: for a torrent whose files cannot be on disk yet. webtorrent checks a
 * new torrent's pieces against the store one by one, two at a time, each also re-marked missing — ~150 ms of
 * event loop for 8192 pieces between the metadata and 'ready', which the stream's first request waits on.
 * Told it has a startup bitfield (it built an empty one), it checks only the pieces that bitfield marks: none.
 */
export function startWithNothingStored(torrent: Torrent): void {
  const t = verificationInternals<VerifyInternals>(torrent);
  torrent.once('metadata', () => {
    // 'metadata' comes after the bitfield is built and before the check starts.
    if (t.destroyed || t._hasStartupBitfield || !torrent.bitfield) return;
    for (let i = 0; i < t.pieces.length; i++) if (torrent.bitfield.get(i)) return;
    t._hasStartupBitfield = true;
  });
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

/**
 * Stores a piece. webtorrent's store is its wrappers (immediate-chunk-store: a put's buffer answers reads until
 * written; cache-chunk-store: pieces read lately) around ours. A valid piece is not verified, so not read,
 * until written, so its blocks go straight to our store's putBlocks, and the cache forgets the index as its
 * put would. Any other store, or a wrapper not known, gets the joined piece through the wrappers.
 */
function storePiece(store: ChunkStore, index: number, blocks: Uint8Array[], cb: Callback<void>): void {
  const caches: Array<{ remove(i: number): void }> = [];
  let inner: Partial<Wrapper> & ChunkStore = store;
  for (; inner.store; inner = inner.store) {
    if (typeof inner.cache?.remove === 'function') caches.push(inner.cache);
    else if (!Array.isArray(inner.mem)) break; // not immediate-chunk-store either: a wrapper not known
  }
  if (inner.store || typeof inner.putBlocks !== 'function') {
    store.put(index, join(blocks), cb);
    return;
  }
  for (const cache of caches) cache.remove(index);
  inner.putBlocks(index, blocks, cb);
}

interface Wrapper {
  store: Partial<Wrapper> & ChunkStore;
  mem: unknown;
  cache: { remove(i: number): void };
}

const join = (blocks: Uint8Array[]) => (blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks));
