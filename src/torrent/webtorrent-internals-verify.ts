/**
 * Part of the webtorrent adapter (webtorrent-internals.ts, which checks the version and every private member
 * used here before first use): webtorrent's piece verification, replaced. Pinned by the contract test
 * test/torrent/piece-verify.test.ts.
 */
import type { Torrent } from 'webtorrent';
import { verificationInternals } from './webtorrent-internals.js';

/** Decides whether `data` is piece `index`, whose SHA-1 (hex, from the metadata) is `expected`. */
export type PieceCheck = (data: Uint8Array, expected: string, index: number) => Promise<boolean>;

/** torrent-piece's Piece: the blocks of one piece as they arrive. */
interface Piece {
  readonly length: number;
  set(block: number, data: Uint8Array, source: unknown): boolean;
  flush(): Uint8Array;
}

type Callback<T> = (err: Error | null, value?: T) => void;

interface VerifyInternals {
  destroyed: boolean;
  pieces: Array<Piece | null>;
  lastPieceLength: number;
  _hashes?: string[];
  store: {
    get(i: number, o: object, cb: Callback<Uint8Array>): void;
    put(i: number, b: Uint8Array, cb: Callback<void>): void;
  };
  wires: Array<{ have(index: number): void }>;
  _request(wire: unknown, index: number, hotswap: boolean): boolean;
  _verifyPiece(index: number, cb: Callback<boolean>): void;
  _markVerified(index: number): void;
  /** Set from the startup bitfield before 'metadata': whether to check only a sample of what it marks. */
  _hasStartupBitfield?: unknown;
  _checkDone(): void;
  _update(): void;
  _destroy(err: Error): void;
  emit(event: 'warning', err: Error): boolean;
}

/** Pieces whose completion verifyPiecesWith has taken over. */
const takenOver = new WeakSet<Piece>();

/** Told of each piece that passed its check, once its bytes can be read through the torrent's store. */
export type ReadableListener = (index: number) => void;
const readableListeners = new WeakMap<Torrent, Set<ReadableListener>>();

/**
 * Calls `listener` with each downloaded piece of `torrent` that passed its check, as soon as its bytes can
 * be read through `torrent.store` — before they are written and the piece is marked verified: webtorrent's
 * store (an immediate-chunk-store on top) answers reads of a piece from memory while its write is under
 * way. A failed write destroys the torrent, so nothing is read from a piece that did not reach the disk.
 * Returns a function that stops the calls.
 */
export function onPieceReadable(torrent: Torrent, listener: ReadableListener): () => void {
  const listeners = readableListeners.get(torrent) ?? new Set<ReadableListener>();
  readableListeners.set(torrent, listeners);
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Has `check` decide every piece of `torrent` instead of webtorrent's SHA-1, which runs on the event loop:
 * the pieces it downloads (each taken from webtorrent once its last block is in) and the data it checks on
 * disk at start. What follows is webtorrent's own: a valid piece is stored, marked verified ('verified') and
 * announced to the peers; an invalid one is dropped, to be downloaded again, with the same 'warning'
 * ("Piece N failed verification"). Call it before the metadata is in.
 */
export function verifyPiecesWith(torrent: Torrent, check: PieceCheck): void {
  const t = verificationInternals<VerifyInternals>(torrent);
  const decide = (index: number, data: Uint8Array) =>
    check(data, t._hashes?.[index] ?? '', index).catch(() => false);
  const settle = (index: number, piece: Piece, data: Uint8Array, valid: boolean) => {
    if (t.destroyed || t.pieces[index] !== piece) return; // closed, or the piece was reset meanwhile
    if (!valid) {
      t.pieces[index] = new (piece.constructor as new (length: number) => Piece)(piece.length);
      t.emit('warning', new Error(`Piece ${index} failed verification`));
      return queueMicrotask(() => t._update());
    }
    t.store.put(index, data, (err) => {
      if (t.destroyed) return;
      if (err) return t._destroy(err);
      t._markVerified(index);
      for (const wire of t.wires) wire.have(index);
      t._checkDone();
      queueMicrotask(() => t._update());
    });
    for (const listener of readableListeners.get(torrent) ?? []) listener(index);
  };
  // A piece is taken over when first requested (its blocks all arrive through the requests webtorrent
  // makes in _request, web seeds' too), so only pieces in flight carry the wrapper. Once complete it is
  // flushed here and reported incomplete to webtorrent, which then neither hashes it nor asks for it again
  // (a flushed piece takes no reservations) until settle replaces or clears it.
  const request = t._request;
  t._request = (wire, index, hotswap) => {
    const piece = t.pieces[index];
    if (piece && !takenOver.has(piece)) {
      takenOver.add(piece);
      const set = piece.set;
      piece.set = (block, data, source) => {
        if (!set.call(piece, block, data, source)) return false;
        const whole = piece.flush();
        void decide(index, whole).then((valid) => settle(index, piece, whole, valid));
        return false;
      };
    }
    return request.call(t, wire, index, hotswap);
  };
  t._verifyPiece = (index, cb) => {
    if (t.destroyed) return cb(new Error('torrent is destroyed'));
    // The last piece is read at its own length: the store may pad it.
    t.store.get(index, index === t.pieces.length - 1 ? { length: t.lastPieceLength } : {}, (err, data) => {
      if (t.destroyed) return cb(new Error('torrent is destroyed'));
      if (err || !data) return queueMicrotask(() => cb(null, false));
      void decide(index, data).then((valid) => cb(null, valid));
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
