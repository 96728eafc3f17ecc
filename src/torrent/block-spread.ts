/**
 * The pieces a stream needs first (what a read waits on and the rest of its start buffer, a seek's target),
 * asked of every peer that can send them at once. A piece is served only once all its blocks are in and
 * verified; webtorrent fills one peer's request pipeline (a second of its rate) with a piece's blocks before it
 * asks the next peer, so on capped peers the first piece came at one peer's rate. Here a peer may hold at
 * most its share of each such piece's blocks (by its rate and what it has queued, among the unchoked peers
 * that have the piece: see share): past it webtorrent goes on to the next piece. What a peer was asked
 * stays with it when another unchokes: a newly unchoked aria2c or transmission sends its first block 0.4–1 s
 * later, on its own clock, so a block taken back from a peer about to send it comes later, not sooner. Each
 * block is asked of one peer (copies are the endgame's, endgame.ts); the readahead behind keeps webtorrent's
 * order.
 */
import type { Torrent, Wire } from 'webtorrent';
import type { RequestOrder } from './request-order.js';
import { limitRequests, unaskedBlocks } from './webtorrent-internals-hooks.js';

const BLOCK = 16 * 1024;

export class BlockSpread {
  private readonly spreading = new Set<number>();

  constructor(
    private readonly torrent: Torrent,
    private readonly order: RequestOrder,
  ) {
    limitRequests(torrent, (wire, piece) => this.allows(wire, piece));
  }

  /** The pieces to spread from now on (webtorrent asks for them once their selections are raised). */
  spread(pieces: Iterable<number>): void {
    this.spreading.clear();
    for (const piece of pieces) this.spreading.add(piece);
  }

  /** Whether `wire` may be asked one more block of `piece`. */
  allows(wire: Wire, piece: number): boolean {
    if (!this.spreading.has(piece) || wire.type === 'webSeed') return true;
    return this.held(wire, piece).length < this.share(wire, piece);
  }

  private held(wire: Wire, piece: number) {
    return wire.requests.filter((request) => request.piece === piece);
  }

  /** `wire` may send `piece` now. */
  private sends(wire: Wire, piece: number): boolean {
    return !wire.destroyed && !wire.peerChoking && wire.type !== 'webSeed' && !!wire.peerPieces.get(piece);
  }

  /**
   * `wire`'s share of `piece`'s blocks (the asking peer counts as a sender: a choked one may be asked its
   * allowed-fast pieces). A peer sends in the order asked, so each share is what it would send by the time
   * the piece can be complete: the time T at which the peers' rates, each after the bytes it has queued for
   * other pieces, add up to the piece's blocks still to come (water-filling). A peer whose queue runs past T
   * gets none; without a rate measured anywhere yet, equal shares.
   */
  private share(wire: Wire, piece: number): number {
    const senders = this.torrent.wires.filter((w) => w === wire || this.sends(w, piece));
    const blocks = Math.ceil(this.pieceBytes(piece) / BLOCK);
    if (senders.length <= 1) return blocks;
    const peers = senders.map((w) => {
      // Ahead of a new block: the other pieces spread, and everything on a peer deaf to cancels. The rest a
      // peer that heeds cancels holds goes once a read waits (endgame.ts: asked while choked, a seek's old
      // position) or comes after.
      const deaf = !this.order.heeds(w);
      let queued = 0;
      let held = 0;
      for (const r of w.requests) {
        if (r.piece === piece) held++;
        else if (deaf || this.spreading.has(r.piece)) queued += r.length;
      }
      return { w, rate: Math.max(0, w.downloadSpeed()), queued, held };
    });
    const total = peers.reduce((sum, p) => sum + p.rate, 0);
    if (total === 0) return Math.ceil(blocks / senders.length);
    const own = peers.find((p) => p.w === wire)!;
    if (own.rate === 0) return 0;
    const toCome =
      ((unaskedBlocks(this.torrent, piece) ?? 0) + peers.reduce((n, p) => n + p.held, 0)) * BLOCK;
    const level = waterLevel(peers, toCome);
    return Math.max(0, Math.ceil((level * own.rate - own.queued) / BLOCK));
  }

  private pieceBytes(piece: number): number {
    const { pieceLength, length } = this.torrent;
    return Math.min(pieceLength, length - piece * pieceLength);
  }
}

/** The time T at which Σ max(0, T·rate − queued) over `peers` reaches `bytes`. */
export function waterLevel(peers: ReadonlyArray<{ rate: number; queued: number }>, bytes: number): number {
  const ready = peers.filter((p) => p.rate > 0).sort((a, b) => a.queued / a.rate - b.queued / b.rate);
  let rates = 0;
  let queued = 0;
  let level = 0;
  for (const peer of ready) {
    // Past the level so far, this peer's queue would end after the piece: it adds nothing.
    if (rates > 0 && peer.queued / peer.rate >= level) break;
    rates += peer.rate;
    queued += peer.queued;
    level = (bytes + queued) / rates;
  }
  return level;
}
