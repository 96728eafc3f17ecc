/**
 * Endgame for the pieces reads wait on. webtorrent asks each block from one peer and takes it back only when
 * that peer chokes, leaves or times out (30 s), or, for critical pieces, when a peer that has been sending
 * fast lately wants it (its hotswap): a read can sit behind a peer that stalled while another idles.
 *
 * A peer answers requests in the order asked: on capped peers a block asked behind a pipeline of others
 * (readahead of the place a seek left, the background, a fast-extension piece asked while choked) comes
 * seconds late. So, while reads wait, a peer's requests queued before a waited block for pieces outside
 * the waiting readers' windows (asked in the order the reader needs them) are cancelled, but the first (it
 * may be on its way); webtorrent asks for them again, after.
 *
 * Each block of a waited-on piece that is already asked for is also asked of another peer that has it,
 * lets us ask, and would likely send it sooner: one with nothing asked, or one whose queue (once cleared
 * as above) at its recent speed ends well before the block's place in the holder's does (a stalled
 * holder's never ends). Up to COPIES in flight; the first to arrive is handed to webtorrent's own request
 * (answerRequest) and every other one is cancelled. So a waited piece spreads over the peers that have it
 * instead of queuing behind the first to unchoke. Blocks nobody asked for yet are webtorrent's to ask: the
 * pieces are critical and in the read's selection, so they go first.
 */
import type { BlockRequest, Torrent, Wire } from 'webtorrent';
import { blockKey, bytesBefore, outOfOrder, RequestOrder } from './request-order.js';
import { answerRequest } from './webtorrent-internals.js';

/** Copies of a block in flight at once, webtorrent's own request included. */
export const COPIES = 3;
/** Duplicates one peer holds at most: a waiting read takes little of what else the peer is doing. */
export const MAX_DUPLICATES_PER_WIRE = 32;

interface Flight {
  block: BlockRequest;
  wires: Set<Wire>;
  /** Seconds until the first holder likely sends it. */
  eta: number;
}

/** Seconds until `wire` likely sends a block with `ahead` bytes queued before it, at its recent speed. */
function eta(wire: Wire, ahead: number, length: number): number {
  const speed = wire.downloadSpeed();
  return speed > 0 ? (ahead + length) / speed : Number.POSITIVE_INFINITY;
}

/** A copy asked of `wire`, with `queued` bytes before it, would likely come well before the holder's. */
function sooner(wire: Wire, queued: number, flight: Flight): boolean {
  return 2 * eta(wire, queued, flight.block.length) < flight.eta;
}

const keyOf = blockKey;

export class Endgame {
  private waited = new Set<number>();
  /** The waiting readers' windows (the read, then its readahead): their requests are never cancelled. */
  private kept: Array<[number, number]> = [];
  /** Waited pieces whose peers were cleared for them once already (see clearFor). */
  private readonly cleared = new Set<number>();
  /** Our duplicate requests in flight: by block, the wires asked. */
  private readonly duplicates = new Map<string, Set<Wire>>();
  private readonly perWire = new Map<Wire, number>();
  private readonly order = new RequestOrder();
  private readonly keeps = (piece: number): boolean =>
    this.waited.has(piece) || this.kept.some(([first, last]) => piece >= first && piece <= last);
  private scheduled = false;

  constructor(private readonly torrent: Torrent) {
    for (const wire of torrent.wires) this.watch(wire);
    torrent.on('wire', (wire: Wire) => this.watch(wire));
    // A verified piece frees pipelines: webtorrent asks for more, possibly blocks a read waits on.
    torrent.on('verified', () => this.schedule());
  }

  /** The pieces reads wait on now. Called right after the selections change (webtorrent has asked). */
  chase(pieces: Iterable<number>, kept: Array<[number, number]> = []): void {
    this.waited = new Set(pieces);
    this.kept = kept;
    for (const piece of this.cleared) if (!this.waited.has(piece)) this.cleared.delete(piece);
    this.run();
  }

  private watch(wire: Wire): void {
    const kick = () => this.schedule();
    for (const event of ['unchoke', 'have', 'bitfield', 'choke', 'close']) wire.on(event, kick);
    wire.on('piece', (piece: number, offset: number, chunk: Uint8Array) => {
      const key = keyOf(piece, offset);
      // A cancelled block the peer had already sent is not wasted: it answers the block's new request.
      if (this.duplicates.has(key) || this.order.arrivedCancelled(piece, offset)) {
        this.settle({ piece, offset, length: chunk.length }, chunk);
      }
      this.schedule();
    });
  }

  /** Runs once the events of this turn are done (webtorrent asks for blocks in microtasks). */
  private schedule(): void {
    if (this.scheduled || this.waited.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.run();
    });
  }

  private run(): void {
    const { torrent } = this;
    if (torrent.destroyed || !torrent.bitfield || torrent.wires.length < 2) return;
    for (const piece of this.waited) if (torrent.bitfield.get(piece)) this.waited.delete(piece);
    if (this.waited.size === 0) return;
    const flights = this.flights();
    this.clearFor(flights);
    // Bytes a copy asked of each peer that could help would stand behind, once what is not waited for is
    // out of its way. Those with nothing asked take copies whatever their speed: their bandwidth is going
    // unused.
    const queued = new Map<Wire, number>();
    const idle = new Set<Wire>();
    for (const wire of torrent.wires) {
      if (wire.destroyed || wire.peerChoking || wire.type === 'webSeed') continue;
      if (wire.requests.length === 0) idle.add(wire);
      else if (outOfOrder(wire, this.keeps)) this.order.clear(wire, this.keeps);
      queued.set(wire, bytesBefore(wire, this.keeps));
    }
    for (const flight of flights) {
      const { block } = flight;
      const candidates = [...queued]
        .filter(
          ([wire, bytes]) =>
            !flight.wires.has(wire) &&
            wire.peerPieces.get(block.piece) &&
            this.hasRoom(wire) &&
            (idle.has(wire) || sooner(wire, bytes, flight)),
        )
        .sort((a, b) => a[1] - b[1]);
      for (const [wire, bytes] of candidates.slice(0, Math.max(0, COPIES - flight.wires.size))) {
        this.order.clear(wire, this.keeps);
        this.duplicate(wire, block);
        queued.set(wire, bytes + block.length);
      }
    }
  }

  /**
   * A waited piece nobody has been asked for yet (a seek's target, while every pipeline is full of what
   * was ahead of the old position): webtorrent asks only once a pipeline runs low. Its peers' other
   * requests are cancelled, once per piece and wait, so webtorrent asks for it now.
   */
  private clearFor(flights: Flight[]): void {
    const asked = new Set(flights.map((f) => f.block.piece));
    for (const piece of this.waited) {
      if (asked.has(piece) || this.cleared.has(piece)) continue;
      this.cleared.add(piece);
      for (const wire of this.torrent.wires) {
        if (wire.destroyed || wire.peerChoking || wire.type === 'webSeed') continue;
        if (wire.peerPieces.get(piece)) this.order.clear(wire, this.keeps);
      }
      // Once webtorrent has asked (in microtasks), its blocks may be copied to the others.
      this.schedule();
    }
  }

  /** Every block of a waited-on piece asked of some peer, lowest first (the read needs the first first). */
  private flights(): Flight[] {
    const flights = new Map<string, Flight>();
    for (const wire of this.torrent.wires) {
      let ahead = 0;
      for (const [i, { piece, offset, length }] of wire.requests.entries()) {
        if (this.waited.has(piece)) {
          const key = keyOf(piece, offset);
          const flight = flights.get(key) ?? {
            block: { piece, offset, length },
            wires: new Set<Wire>(),
            eta: Number.POSITIVE_INFINITY,
          };
          flight.wires.add(wire);
          flight.eta = Math.min(flight.eta, eta(wire, ahead, length));
          flights.set(key, flight);
          ahead += length;
        } else if (i === 0 || this.keeps(piece)) ahead += length;
      }
    }
    return [...flights.values()].sort(
      (a, b) => a.block.piece - b.block.piece || a.block.offset - b.block.offset,
    );
  }

  private hasRoom(wire: Wire): boolean {
    if ((this.perWire.get(wire) ?? 0) >= MAX_DUPLICATES_PER_WIRE) return false;
    const reqq = wire.peerExtendedHandshake?.reqq;
    return typeof reqq !== 'number' || reqq <= 0 || wire.requests.length < reqq;
  }

  private duplicate(wire: Wire, block: BlockRequest): void {
    const key = keyOf(block.piece, block.offset);
    const wires = this.duplicates.get(key) ?? new Set<Wire>();
    wires.add(wire);
    this.duplicates.set(key, wires);
    this.perWire.set(wire, (this.perWire.get(wire) ?? 0) + 1);
    // The callback may run at once (a wire that just closed); the bookkeeping above comes first. A copy
    // that fails (choke, close) is not asked again until something changes: no loop on a dead wire.
    wire.request(block.piece, block.offset, block.length, (err, chunk) => {
      if (this.forget(key, wire) && !err && chunk) this.settle(block, chunk);
    });
  }

  /**
   * `chunk` arrived: webtorrent's requests still pending for the block get it (its own, or a leftover of its
   * hotswap), our duplicates are cancelled.
   */
  private settle(block: BlockRequest, chunk: Uint8Array): void {
    const ours = this.duplicates.get(keyOf(block.piece, block.offset));
    for (const wire of this.torrent.wires) {
      if (ours?.has(wire) && this.forget(keyOf(block.piece, block.offset), wire)) {
        wire.cancel(block.piece, block.offset, block.length);
      }
      // Also on the wire it came from: webtorrent may have asked it again for a block our copy was coming on.
      answerRequest(wire, block, chunk);
    }
  }

  /** Drops our copy of `key` on `wire` from the books; false when it was not there (already settled). */
  private forget(key: string, wire: Wire): boolean {
    const wires = this.duplicates.get(key);
    if (!wires?.delete(wire)) return false;
    if (wires.size === 0) this.duplicates.delete(key);
    const count = (this.perWire.get(wire) ?? 1) - 1;
    if (count > 0) this.perWire.set(wire, count);
    else this.perWire.delete(wire);
    return true;
  }
}
