/**
 * Part of the webtorrent adapter (webtorrent-internals.ts, which checks the version and every private member
 * used here before first use): hooks into a torrent's metadata, its wires' request top-ups and each block it
 * asks for, and reads a piece's books of blocks asked (torrent-piece's Piece, shape-checked at each use).
 * Pinned by the contract test test/torrent/webtorrent-internals.test.ts.
 */
import type { Torrent, Wire } from 'webtorrent';
import { verificationInternals } from './webtorrent-internals.js';

interface HookInternals {
  /** Metadata in: bencoded `{ info }` from a magnet's peers, or a parsed torrent. */
  _onMetadata(metadata: unknown): unknown;
  _destroy(err: Error): void;
  metadata: unknown;
  destroyed: boolean;
  _updateWire(wire: Wire): unknown;
  _request(wire: Wire, piece: number, hotswap: boolean): boolean;
  pieces: Array<object | null>;
  _debug?: unknown;
}

/** torrent-piece's Piece fields read here: its blocks come in, its blocks given back to be asked again. */
interface PieceBooks {
  _buffer: Array<Uint8Array | undefined> | null;
  _cancellations: number[] | null;
  _chunks: number;
  _reservations: number;
  /** Emptied (flushed, or taken by piece verification): nothing more to ask. */
  _flushed: boolean;
}

/**
 * Runs `check` on the metadata a magnet's peers send before webtorrent parses it (parsing and webtorrent's
 * own setup hold the event loop for seconds on a hostile 100 000 files); an Error from it stops the torrent
 * with that error, as a store failure would.
 */
export function guardMetadata(torrent: Torrent, check: (metadata: Uint8Array) => Error | null): void {
  const target = verificationInternals<HookInternals>(torrent);
  const onMetadata = target._onMetadata;
  target._onMetadata = (metadata: unknown) => {
    if (ArrayBuffer.isView(metadata) && !target.metadata && !target.destroyed) {
      const error = check(new Uint8Array(metadata.buffer, metadata.byteOffset, metadata.byteLength));
      if (error) return target._destroy(error);
    }
    return onMetadata.call(target, metadata);
  };
}

/**
 * Runs `hook(wire)` just before webtorrent tops up a wire's requests (its `_updateWire`, called for each wire
 * after every block, choke change and selection change). Hooks added later run first.
 */
export function beforeWireUpdate(torrent: Torrent, hook: (wire: Wire) => void): void {
  const target = verificationInternals<HookInternals>(torrent);
  const update = target._updateWire;
  target._updateWire = (wire) => {
    hook(wire);
    return update.call(target, wire);
  };
}

/**
 * Asks `wire` for the next unrequested block of `piece` as webtorrent would (reserved, checked and
 * verified by webtorrent), within webtorrent's request pipeline for that wire. False when nothing was
 * asked: the piece is verified or all requested, or the pipeline is full.
 */
export function requestBlock(torrent: Torrent, wire: Wire, piece: number): boolean {
  return verificationInternals<HookInternals>(torrent)._request(wire, piece, false);
}

/**
 * Runs `allows(wire, piece)` before webtorrent asks `wire` for a block of `piece` (its `_request`, through which
 * every block request goes: its top-ups, a choked peer's allowed-fast pieces, requestBlock): false refuses,
 * as a full pipeline would, and webtorrent goes on to its next piece.
 *
 * Also, a block is never handed out again once it is in. A cancelled request gives its block back to the
 * piece (`Piece.cancel`) while the peer may still be sending it; one that comes anyway is stored and stays
 * listed as free, and a capped peer was asked for it again after the piece had it (observed against aria2c
 * at 35 KB/s: a second of its bandwidth per piece).
 */
export function limitRequests(torrent: Torrent, allows: (wire: Wire, piece: number) => boolean): void {
  const target = verificationInternals<HookInternals>(torrent);
  const request = target._request;
  target._request = (wire, piece, hotswap) => {
    if (!allows(wire, piece)) return false;
    forgetHeldCancellations(target.pieces[piece]);
    return request.call(target, wire, piece, hotswap);
  };
}

function forgetHeldCancellations(piece: object | null | undefined): void {
  const books = piece as Partial<PieceBooks> | null | undefined;
  const held = books?._buffer;
  const cancelled = books?._cancellations;
  if (!Array.isArray(held) || !Array.isArray(cancelled) || cancelled.length === 0) return;
  if (cancelled.some((block) => held[block])) books!._cancellations = cancelled.filter((b) => !held[b]);
}

/**
 * Blocks of `piece` nobody has been asked for (webtorrent's reservations), or undefined when its books are not
 * of the shape this was verified with. 0 for a verified piece.
 */
export function unaskedBlocks(torrent: Torrent, piece: number): number | undefined {
  if (torrent.bitfield?.get(piece)) return 0;
  const books = verificationInternals<HookInternals>(torrent).pieces[piece] as Partial<PieceBooks> | null;
  if (!books) return 0;
  const { _chunks: chunks, _reservations: reserved, _cancellations: given } = books;
  if (typeof chunks !== 'number' || typeof reserved !== 'number') return undefined;
  const held = books._buffer;
  const back = Array.isArray(given) ? given.filter((block) => !held?.[block]).length : 0;
  return chunks - reserved + back;
}

/**
 * Makes webtorrent's `_request` answer false at once for a piece with no block left to ask for, where it would
 * first size the wire's pipeline (two rate look-ups) and go through every hook on `_request`, then find
 * nothing to reserve. Its top-ups try each piece of a selection in turn, the hundreds in flight on a fast link
 * too. (webtorrent's hotswap could free blocks of such a piece; it is off, see neverHotswap.)
 */
export function skipFullyAskedPieces(torrent: Torrent): void {
  const target = verificationInternals<HookInternals>(torrent);
  const request = target._request;
  target._request = (wire, piece, hotswap) => {
    if (nothingToAsk(target.pieces[piece])) return false;
    return request.call(target, wire, piece, hotswap);
  };
}

/**
 * Turns webtorrent's hotswap off. For a piece with no block left to ask for, it gives a slower peer's blocks
 * back to the piece for a faster one to take (`_hotswap`), without a cancel: the slower peer sends them all
 * the same, so each comes twice. On capped aria2c and transmission seeders, whose rates swing burst to burst,
 * that cost a peer seconds of sending on copies while the stream's next blocks waited. Copies of blocks a
 * read waits on are the endgame's (endgame.ts), which cancels the copies not needed.
 */
export function neverHotswap(torrent: Torrent): void {
  const target = verificationInternals<HookInternals>(torrent);
  const request = target._request;
  target._request = (wire, piece) => request.call(target, wire, piece, false);
}

function nothingToAsk(piece: object | null | undefined): boolean {
  const books = piece as Partial<PieceBooks> | null | undefined;
  if (!books) return false;
  if (books._flushed === true) return true;
  const { _chunks: chunks, _reservations: reserved, _cancellations: given } = books;
  return (
    typeof chunks === 'number' && typeof reserved === 'number' && given?.length === 0 && reserved >= chunks
  );
}

/**
 * Makes `torrent` skip its debug messages when the `debug` package prints none (DEBUG unset: streamtide never
 * enables it itself). The torrent prefixes each one before `debug` looks whether it is enabled: for each block
 * asked and each received.
 */
export function skipTorrentDebugMessages(torrent: Torrent): void {
  const target = verificationInternals<HookInternals>(torrent);
  if (!process.env.DEBUG && typeof target._debug === 'function') target._debug = () => {};
}
