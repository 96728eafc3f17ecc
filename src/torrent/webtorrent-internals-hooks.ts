/**
 * Part of the webtorrent adapter (webtorrent-internals.ts, which checks the version and every private member
 * used here before first use): hooks into a torrent's metadata and its wires' request top-ups. Pinned by the
 * contract test test/torrent/webtorrent-internals.test.ts.
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
