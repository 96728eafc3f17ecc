/**
 * The pieces a stream needs first (what a read waits on and the rest of its start buffer, a seek's target),
 * asked of every peer that can send them at once. A piece is served only once all its blocks are in and
 * verified; webtorrent fills one peer's request pipeline (a second of its rate) with a piece's blocks before it
 * asks the next peer, so on capped peers the first piece came at one peer's rate. Here a peer may hold at
 * most its share of each such piece's blocks (by its rate and what it has queued, among the unchoked peers
 * that have the piece: see share): past it webtorrent goes on to the next piece. And when a peer
 * unchokes, the others give back what is past their new share, before webtorrent fills its pipeline: a peer
 * answers in the order asked, so those blocks would otherwise stand behind the next pieces there. Only what
 * a peer would send later than HOLD_S from now: a newly unchoked aria2c or transmission sends its first
 * block 0.4–1 s after, on its own clock, so a block taken from a peer about to send it comes later. Each
 * block is asked of one peer (copies are the endgame's, endgame.ts); the readahead behind keeps webtorrent's
 * order. While there are such pieces, a choked peer is asked for nothing (see allows).
 */
import type { Torrent, Wire } from 'webtorrent';
import { eta } from './flights.js';
import type { RequestOrder } from './request-order.js';
import { limitRequests, unaskedBlocks } from './webtorrent-internals-hooks.js';
import { likelyRate } from './wire-start.js';

const BLOCK = 16 * 1024;
/** A block a peer would likely send within this many seconds stays with it when another unchokes. */
export const HOLD_S = 2;

export class BlockSpread {
  /** Ascending. */
  private pieces: number[] = [];
  private readonly spreading = new Set<number>();

  constructor(
    private readonly torrent: Torrent,
    private readonly order: RequestOrder,
  ) {
    limitRequests(torrent, (wire, piece) => this.allows(wire, piece));
    for (const wire of torrent.wires) this.watch(wire);
    torrent.on('wire', (wire: Wire) => this.watch(wire));
  }

  /** The pieces to spread from now on (webtorrent asks for them once their selections are raised). */
  spread(pieces: Iterable<number>): void {
    this.spreading.clear();
    for (const piece of pieces) this.spreading.add(piece);
    this.pieces = [...this.spreading].sort((a, b) => a - b);
  }

  /** Some pieces are spread: a read waits. */
  get active(): boolean {
    return this.pieces.length > 0;
  }

  /** Whether `wire` may be asked one more block of `piece`. */
  allows(wire: Wire, piece: number): boolean {
    if (wire.type === 'webSeed') return true;
    // A choked peer is asked for every block of its allowed-fast pieces (up to its pipeline), and sends
    // them first once it unchokes: aria2c's first bursts went to random pieces, or to ten blocks of the
    // one a read waited on, which no later peer was then asked. While pieces are needed first, nothing.
    if (wire.peerChoking && this.active) return false;
    if (!this.spreading.has(piece)) return true;
    return this.held(wire, piece).length < this.share(wire, piece);
  }

  private watch(wire: Wire): void {
    // On a wire that connects once the metadata is in, this runs before webtorrent's own listener, which
    // fills the pipelines at once; on one from before, what is given back goes to whoever has room next.
    wire.on('unchoke', () => this.rebalance(wire));
  }

  /** Past its share, each peer that heeds cancels gives back the blocks it was asked last. */
  private rebalance(joined: Wire): void {
    if (this.torrent.destroyed || !this.torrent.bitfield) return;
    for (const piece of this.pieces) {
      if (!joined.peerPieces.get(piece) || this.torrent.bitfield.get(piece)) continue;
      for (const wire of this.torrent.wires) {
        if (wire === joined || !this.sends(wire, piece) || !this.order.heeds(wire)) continue;
        const held = this.held(wire, piece);
        const due = dueTimes(wire);
        for (const request of held.slice(this.share(wire, piece))) {
          if (due(request) <= HOLD_S) continue;
          wire.cancel(request.piece, request.offset, request.length);
          this.order.told(wire, request.piece, request.offset, request.length);
        }
      }
    }
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
      let queued = this.order.maybeComing(w);
      let held = 0;
      for (const r of w.requests) {
        if (r.piece === piece) held++;
        else if (deaf || this.spreading.has(r.piece)) queued += r.length;
      }
      return { w, rate: Math.max(0, likelyRate(w, senders)), queued, held };
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

/**
 * Seconds until `wire` likely sends each of its requests: the bytes asked of it up to that one, at its recent
 * rate. The first may be on its way already (0); with no rate known, the rest never.
 */
export function dueTimes(wire: Pick<Wire, 'requests' | 'downloadSpeed'>): (request: object) => number {
  const rate = Math.max(0, wire.downloadSpeed());
  const ahead = new Map<object, number>();
  let bytes = 0;
  for (const request of wire.requests) {
    ahead.set(request, bytes === 0 ? 0 : eta(rate, bytes, request.length));
    bytes += request.length;
  }
  return (request) => ahead.get(request) ?? Number.POSITIVE_INFINITY;
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
