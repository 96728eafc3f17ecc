/**
 * Part of the webtorrent adapter (webtorrent-internals.ts, which checks the version and every private member
 * used here before first use): webtorrent's piece verification, replaced. Pinned by the contract test
 * test/torrent/piece-verify.test.ts.
 */
import type { Torrent } from 'webtorrent';
import { PieceBuffers } from './piece-buffers.js';
import { verificationInternals } from './webtorrent-internals.js';
import {
  BLOCK,
  type ChunkStore,
  collectPiece,
  join,
  type Piece,
  storePiece,
  type TakenPiece,
} from './webtorrent-internals-piece.js';

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

type Callback<T> = (err: Error | null, value?: T) => void;

interface VerifyInternals {
  destroyed: boolean;
  pieces: Array<Piece | null>;
  pieceLength: number;
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

/** Piece buffers kept between pieces, per torrent downloading. */
const SPARE_BYTES = 8 * 1024 * 1024;

/** Pieces whose completion verifyPiecesWith has taken over. */
const takenOver = new WeakSet<Piece>();

/** Told of each piece that passed its check, once its bytes can be read through the torrent's store. */
export type ReadableListener = (index: number) => void;
const readableListeners = new WeakMap<Torrent, Set<ReadableListener>>();

/** A block of a piece that failed its check: its offset, its bytes (valid during the call only), its sender. */
export interface RejectedBlock {
  offset: number;
  data: Uint8Array;
  source: unknown;
}
export type RejectedListener = (index: number, blocks: RejectedBlock[]) => void;
const rejectedListeners = new WeakMap<Torrent, Set<RejectedListener>>();

/**
 * Calls `listener` with each downloaded piece of `torrent` that failed its check, before it is dropped: the
 * blocks it was made of and who sent each (the first copy of a block counts; copies that came later were
 * not used). The bytes are reused once the call returns: copy what is kept. Returns a function that stops
 * the calls.
 */
export function onPieceRejected(torrent: Torrent, listener: RejectedListener): () => void {
  const listeners = rejectedListeners.get(torrent) ?? new Set<RejectedListener>();
  rejectedListeners.set(torrent, listeners);
  listeners.add(listener);
  return () => listeners.delete(listener);
}

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
 * event loop: the pieces it downloads (each block copied into a reused piece buffer and hashed as it arrives,
 * the piece taken from webtorrent once the last is in and written from that buffer; see piece-buffers.ts) and
 * the data it checks on disk at start. What follows is webtorrent's own:
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
  let pool: PieceBuffers | undefined;
  torrent.once('done', () => pool?.clear());
  const rejected = (index: number, { blocks, senders }: TakenPiece) => {
    const listeners = rejectedListeners.get(torrent);
    if (!listeners?.size) return;
    // The piece keeps one entry per block (it splits a web seed's larger chunks).
    const report = blocks.map((data, i) => ({ offset: i * BLOCK, data, source: senders[i] }));
    for (const listener of listeners) listener(index, report);
  };
  const settle = (index: number, piece: Piece, taken: TakenPiece, valid: boolean) => {
    const { blocks, bytes, buffer } = taken;
    const giveBack = () => buffer && pool?.give(buffer);
    if (t.destroyed || t.pieces[index] !== piece) return giveBack(); // closed, or reset meanwhile
    if (!valid) {
      rejected(index, taken);
      giveBack();
      t.pieces[index] = new (piece.constructor as new (length: number) => Piece)(piece.length);
      t.emit('warning', new Error(`Piece ${index} failed verification`));
      return queueMicrotask(() => t._update());
    }
    const early = waited(index);
    let direct = false;
    const stored = (err: Error | null) => {
      if (direct && !err) giveBack();
      if (t.destroyed) return;
      if (err) return t._destroy(err);
      if (!early) readable(index);
      t._markVerified(index);
      for (const wire of t.wires) wire.have(index);
      t._checkDone();
      queueMicrotask(() => t._update());
    };
    if (!early) {
      direct = storePiece(t.store, index, bytes ? [bytes] : blocks, stored);
      return;
    }
    // One buffer (joined if need be), kept by webtorrent's immediate store to answer the waiting read from
    // memory now, and by the reads it answers: not given back.
    t.store.put(index, bytes ?? join(blocks), stored);
    readable(index);
  };
  // A piece is taken over when first requested (its blocks all arrive through the requests webtorrent
  // makes in _request, web seeds' too), so only pieces in flight carry the wrapper, until settle replaces
  // or clears the piece.
  const follow = (index: number, piece: Piece) => {
    const digest = verifier.incremental();
    pool ??= new PieceBuffers(t.pieceLength, SPARE_BYTES);
    collectPiece(
      piece,
      pool,
      (block) => digest.update(block),
      (taken) => {
        void digest
          .matches(expected(index))
          .catch(() => false)
          .then((valid) => settle(index, piece, taken, valid));
      },
    );
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
