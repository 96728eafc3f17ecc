/**
 * Putting some of a peer's requests before the others it was already asked. A peer answers in the order
 * asked and BitTorrent has no way to reorder, so the requests in the way are cancelled: webtorrent gets
 * them back (its request fails as cancelled) and asks for them again, behind what is asked next. The
 * first request is left alone: it may be on its way already. A cancelled block that comes anyway (the
 * peer had sent it) is remembered, so it can still answer the block's new request.
 */
import type { Wire } from 'webtorrent';

/** Whether a request for `piece` is to stay where it is. */
export type Keeps = (piece: number) => boolean;

const MAX_CANCELLED = 4096;

export const blockKey = (piece: number, offset: number) => `${piece}:${offset}`;

/** A request `keeps` would cancel, past the first, stands before one it keeps. */
export function outOfOrder(wire: Wire, keeps: Keeps): boolean {
  let other = false;
  for (let i = 1; i < wire.requests.length; i++) {
    if (!keeps(wire.requests[i]!.piece)) other = true;
    else if (other) return true;
  }
  return false;
}

/** Bytes that would stand before a request appended to `wire` once `clear` has run. */
export function bytesBefore(wire: Wire, keeps: Keeps): number {
  return wire.requests.reduce((sum, r, i) => (i === 0 || keeps(r.piece) ? sum + r.length : sum), 0);
}

export class RequestOrder {
  /** Blocks cancelled here, oldest first. */
  private readonly cancelled = new Set<string>();

  /** Cancels `wire`'s requests but the first for pieces `keeps` does not keep. */
  clear(wire: Wire, keeps: Keeps): void {
    const others = wire.requests.slice(1).filter((r) => !keeps(r.piece));
    for (const { piece, offset, length } of others) {
      wire.cancel(piece, offset, length);
      this.cancelled.add(blockKey(piece, offset));
    }
    // The oldest are long answered elsewhere or never coming: a bound, not a cleanup.
    for (const key of this.cancelled) {
      if (this.cancelled.size <= MAX_CANCELLED) break;
      this.cancelled.delete(key);
    }
  }

  /** The block arrived: true (once) when it was one cancelled here. */
  arrivedCancelled(piece: number, offset: number): boolean {
    return this.cancelled.delete(blockKey(piece, offset));
  }
}
