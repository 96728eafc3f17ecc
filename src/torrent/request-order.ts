/**
 * Putting some of a peer's requests before the others it was already asked. A peer answers in the order
 * asked and BitTorrent has no way to reorder, so the requests in the way are cancelled: webtorrent gets
 * them back (its request fails as cancelled) and asks for them again, behind what is asked next. The
 * first request is left alone: it may be on its way already. A cancelled block that comes anyway (the
 * peer had sent it) is remembered, so it can still answer the block's new request, and so are the peers
 * that mostly send what they were told to cancel: cancelling there saves nothing.
 */
import type { Wire } from 'webtorrent';

/** Whether a request for `piece` is to stay where it is. */
export type Keeps = (piece: number) => boolean;

const MAX_CANCELLED = 4096;

export const blockKey = (piece: number, offset: number) => `${piece}:${offset}`;

/** Cancels a peer is seen to ignore, at least and as a share of those it was sent, before it is deaf. */
const DEAF_AFTER = 4;
const DEAF_SHARE = 0.5;

interface Hearing {
  cancels: number;
  ignored: number;
}

export class RequestOrder {
  /** Blocks cancelled, oldest first, with the peer told. */
  private readonly cancelled = new Map<string, Wire>();
  private readonly hearing = new WeakMap<Wire, Hearing>();

  /** Cancels `wire`'s requests but the first for pieces `keeps` does not keep. */
  clear(wire: Wire, keeps: Keeps): void {
    const others = wire.requests.slice(1).filter((r) => !keeps(r.piece));
    for (const { piece, offset, length } of others) {
      wire.cancel(piece, offset, length);
      this.told(wire, piece, offset);
    }
  }

  /** `wire` was sent a cancel for the block at `piece`, `offset` (here or by whoever calls this). */
  told(wire: Wire, piece: number, offset: number): void {
    const key = blockKey(piece, offset);
    this.cancelled.delete(key);
    this.cancelled.set(key, wire);
    const hearing = this.hearing.get(wire) ?? { cancels: 0, ignored: 0 };
    hearing.cancels++;
    this.hearing.set(wire, hearing);
    // The oldest are long answered elsewhere or never coming: a bound, not a cleanup.
    for (const old of this.cancelled.keys()) {
      if (this.cancelled.size <= MAX_CANCELLED) break;
      this.cancelled.delete(old);
    }
  }

  /** The block arrived from `wire`: true (once) when it was one cancelled. */
  arrivedCancelled(wire: Wire, piece: number, offset: number): boolean {
    const key = blockKey(piece, offset);
    const told = this.cancelled.get(key);
    if (!told) return false;
    this.cancelled.delete(key);
    const hearing = told === wire ? this.hearing.get(wire) : undefined;
    if (hearing) hearing.ignored++;
    return true;
  }

  /**
   * Whether a cancel sent to `wire` is likely heeded. Some peers (transmission under an upload cap) send
   * what they were asked well after a cancel: there, a cancelled request or a copy costs its bandwidth
   * all the same. Blocks already on their way when cancelled come from any peer: only most is deaf.
   */
  heeds(wire: Wire): boolean {
    const hearing = this.hearing.get(wire);
    return !hearing || hearing.ignored < DEAF_AFTER || hearing.ignored <= hearing.cancels * DEAF_SHARE;
  }
}
