/**
 * Putting some of a peer's requests before the others it was already asked. A peer answers in the order
 * asked and BitTorrent has no way to reorder, so the requests in the way are cancelled: webtorrent gets
 * them back (its request fails as cancelled) and asks for them again, behind what is asked next. The
 * first request is left alone: it may be on its way already. A cancelled block that comes anyway (the
 * peer had sent it) is remembered, so it can still answer the block's new request, and so are the peers
 * that send what they were told to cancel: cancelling there saves nothing, and what they were asked
 * comes after all of it.
 */
import type { Wire } from 'webtorrent';

/** Whether a request for `piece` is to stay where it is. */
export type Keeps = (piece: number) => boolean;

const MAX_CANCELLED = 4096;
const BLOCK = 16 * 1024;

export const blockKey = (piece: number, offset: number) => `${piece}:${offset}`;

/** Cancelled blocks a peer is seen to send anyway, at least, before it may be deaf. */
const DEAF_AFTER = 2;

/**
 * What became of the blocks a peer was told to cancel. Each ends ignored (it came) or skipped (the peer sent
 * a block asked after the cancel first: it answers in order, so it dropped the cancelled one).
 */
interface Hearing {
  ignored: number;
  skipped: number;
  /** Cancelled blocks whose fate is not known yet, with their lengths. */
  pending: Map<string, number>;
  /** The blocks the peer was asked before its latest cancel (which prove nothing when they come). */
  before: Set<string>;
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
      this.told(wire, piece, offset, length);
    }
  }

  /** `wire` choked us: it drops whatever it was asked, cancelled or not. */
  choked(wire: Wire): void {
    const hearing = this.hearing.get(wire);
    hearing?.pending.clear();
    hearing?.before.clear();
  }

  /**
   * Bytes `wire` was told to cancel that may still come before anything it is asked now: none from a peer
   * seen to skip what it is told to cancel, all from one that is deaf or not yet heard out.
   */
  maybeComing(wire: Wire): number {
    const hearing = this.hearing.get(wire);
    if (!hearing || (hearing.skipped >= DEAF_AFTER && hearing.skipped > hearing.ignored)) return 0;
    let bytes = 0;
    for (const length of hearing.pending.values()) bytes += length;
    return bytes;
  }

  /** `wire` was sent a cancel for the block at `piece`, `offset` (here or by whoever calls this). */
  told(wire: Wire, piece: number, offset: number, length = BLOCK): void {
    const key = blockKey(piece, offset);
    this.cancelled.delete(key);
    this.cancelled.set(key, wire);
    const hearing = this.hearing.get(wire) ?? {
      ignored: 0,
      skipped: 0,
      pending: new Map(),
      before: new Set(),
    };
    hearing.pending.set(key, length);
    hearing.before = new Set(wire.requests.map((r) => blockKey(r.piece, r.offset)));
    hearing.before.delete(key);
    this.hearing.set(wire, hearing);
    // The oldest are long answered elsewhere or never coming: a bound, not a cleanup.
    for (const old of this.cancelled.keys()) {
      if (this.cancelled.size <= MAX_CANCELLED) break;
      this.cancelled.delete(old);
    }
  }

  /** A block arrived from `wire` (every one is to be told): true (once) when it was one cancelled. */
  arrivedCancelled(wire: Wire, piece: number, offset: number): boolean {
    const key = blockKey(piece, offset);
    this.heard(wire, key);
    const told = this.cancelled.get(key);
    if (!told) return false;
    this.cancelled.delete(key);
    return true;
  }

  /**
   * Whether a cancel sent to `wire` is likely heeded. Some peers (transmission under an upload cap) send
   * what they were asked well after a cancel: there, a cancelled request or a copy costs its bandwidth all
   * the same, and whatever it is asked next comes after it. A block already on its way when cancelled comes
   * from any peer: a peer is deaf when it sends more of them than it skips.
   */
  heeds(wire: Wire): boolean {
    const hearing = this.hearing.get(wire);
    return !hearing || hearing.ignored < DEAF_AFTER || hearing.ignored <= hearing.skipped;
  }

  private heard(wire: Wire, key: string): void {
    const hearing = this.hearing.get(wire);
    if (!hearing) return;
    if (hearing.pending.delete(key)) hearing.ignored++;
    else if (!hearing.before.has(key) && hearing.pending.size > 0) {
      hearing.skipped += hearing.pending.size;
      hearing.pending.clear();
    }
    hearing.before.delete(key);
  }
}
