/**
 * Endgame for the pieces reads wait on. webtorrent asks each block from one peer and takes it back only when
 * that peer chokes, leaves or times out (30 s; its hotswap is off, see neverHotswap): a read can sit behind a
 * peer that stalled while another idles.
 *
 * webtorrent asks for the blocks of a waited piece nobody was asked for yet (a seek's target) once a pipeline
 * runs low; on capped peers every pipeline is full of other pieces for seconds. So its peers' other requests
 * are cancelled (request-order.ts), once per piece and wait, unless its blocks are all in or asked, and
 * webtorrent asks for it first; so are a newly unchoked peer's, asked while it choked us (allowed-fast,
 * before a read waited: block-spread.ts asks a choked peer nothing while one does), when reads wait. What a
 * peer was told to cancel and may still send counts in its queue (maybeComing).
 *
 * Each block of a waited-on piece that is already asked for is also asked of another peer that has it,
 * lets us ask, heeds cancels, and would likely send it sooner: one whose queue at its recent speed ends
 * well before the block's place in the holder's does, or any with nothing queued when the holder stalled
 * (a stalled holder's never ends). Up to COPIES in flight; the first to arrive is handed to webtorrent's
 * own request (answerRequest) and every other one is cancelled. A copy of a block whose holder ignores
 * cancels is sent twice: none is asked unless the holder stalled. Nor is any while a waited piece has blocks
 * nobody was asked for (its endgame has not begun: a capped peer's copy costs it a fresh block), nor where
 * every peer is busy and keeps pace. Blocks nobody asked for are webtorrent's to ask.
 *
 * It looks again after every block, have, choke and unchoke, and every RECHECK_MS while a read waits: a peer
 * that stalls sends nothing to say so.
 */
import type { BlockRequest, Torrent, Wire } from 'webtorrent';
import { eta, type Flight, flightsOf } from './flights.js';
import { blockKey, RequestOrder } from './request-order.js';
import { answerRequest } from './webtorrent-internals.js';
import { unaskedBlocks } from './webtorrent-internals-hooks.js';
import { likelyRate } from './wire-start.js';

/** Copies of a block in flight at once, webtorrent's own request included. */
export const COPIES = 3;
/** Duplicates one peer holds at most: a waiting read takes little of what else the peer is doing. */
export const MAX_DUPLICATES_PER_WIRE = 32;
/** While a read waits, the endgame also looks again this often: a peer stalls without an event to tell. */
export const RECHECK_MS = 1000;

const bytesQueued = (wire: Wire) => wire.requests.reduce((sum, r) => sum + r.length, 0);

export class Endgame {
  private waited = new Set<number>();
  /** Waited pieces whose peers were cleared for them once already (see clearFor). */
  private readonly cleared = new Set<number>();
  /** Bytes come in for pieces not yet verified (copies counted too: it only has to be not less). */
  private readonly received = new Map<number, number>();
  /** Our duplicate requests in flight: by block, the wires asked. */
  private readonly duplicates = new Map<string, Set<Wire>>();
  private readonly perWire = new Map<Wire, number>();
  private readonly keeps = (piece: number): boolean => this.waited.has(piece);
  private scheduled = false;
  private recheck: NodeJS.Timeout | null = null;
  /** Wires unchoked since the last run: what they were asked while choked may stand before a read. */
  private readonly unchoked = new Set<Wire>();

  /** `order` is shared with whatever else cancels requests here (block-spread.ts). */
  constructor(
    private readonly torrent: Torrent,
    private readonly order = new RequestOrder(),
  ) {
    for (const wire of torrent.wires) this.watch(wire);
    torrent.on('wire', (wire: Wire) => this.watch(wire));
    // A verified piece frees pipelines: webtorrent asks for more, possibly blocks a read waits on.
    torrent.on('verified', (piece: number) => {
      this.received.delete(piece);
      this.schedule();
    });
  }

  /** The pieces reads wait on now. Called right after the selections change (webtorrent has asked). */
  chase(pieces: Iterable<number>): void {
    this.waited = new Set(pieces);
    for (const piece of this.cleared) if (!this.waited.has(piece)) this.cleared.delete(piece);
    this.run();
  }

  private watch(wire: Wire): void {
    const kick = () => this.schedule();
    for (const event of ['have', 'bitfield', 'choke', 'close']) wire.on(event, kick);
    wire.on('choke', () => this.order.choked(wire));
    wire.on('unchoke', () => {
      this.unchoked.add(wire);
      kick();
    });
    wire.on('piece', (piece: number, offset: number, chunk: Uint8Array) => {
      this.received.set(piece, (this.received.get(piece) ?? 0) + chunk.length);
      const key = blockKey(piece, offset);
      // A cancelled block the peer had already sent is not wasted: it answers the block's new request.
      if (this.order.arrivedCancelled(wire, piece, offset) || this.duplicates.has(key)) {
        this.settle({ piece, offset, length: chunk.length }, chunk, wire);
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
    if (torrent.destroyed || !torrent.bitfield) return;
    for (const piece of this.waited) if (torrent.bitfield.get(piece)) this.waited.delete(piece);
    if (this.waited.size > 0) {
      this.recheck ??= setTimeout(() => {
        this.recheck = null;
        this.schedule();
      }, RECHECK_MS).unref();
    }
    if (torrent.wires.length < 2) return;
    const unchoked = [...this.unchoked];
    this.unchoked.clear();
    if (this.waited.size === 0) return;
    // Asked while choked (a peer's allowed-fast pieces, webtorrent asks all their blocks): on a capped
    // peer that is seconds of other pieces before anything a read waits on.
    for (const wire of unchoked) if (this.usable(wire)) this.order.clear(wire, this.keeps);
    const rates = new Map(torrent.wires.map((w) => [w, likelyRate(w, torrent.wires)]));
    const flights = flightsOf(torrent.wires, this.waited, {
      rate: (wire) => rates.get(wire) ?? 0,
      before: (wire) => this.order.maybeComing(wire),
    });
    this.clearFor();
    // Bytes each peer that could help has queued: where a copy asked of it now would stand.
    const queued = new Map<Wire, number>();
    for (const wire of torrent.wires.filter((w) => this.usable(w))) {
      queued.set(wire, this.order.maybeComing(wire) + bytesQueued(wire));
    }
    const idle = [...queued].flatMap(([wire, bytes]) => (bytes === 0 ? [wire] : []));
    // A copy is worth its bandwidth only if the holder stalled while a waited piece has blocks nobody was
    // asked for (a peer with room takes those, block-spread.ts), or where the holder is deaf to cancels.
    const fresh = [...this.waited].some((piece) => (unaskedBlocks(torrent, piece) ?? 0) > 0);
    const worth = flights.filter(
      (f) => !Number.isFinite(f.eta) || (!fresh && [...f.wires].every((w) => this.order.heeds(w))),
    );
    const copy = (wire: Wire, flight: Flight) => {
      this.duplicate(wire, flight.block);
      flight.wires.add(wire);
      queued.set(wire, (queued.get(wire) ?? 0) + flight.block.length);
    };
    const open = (wire: Wire, f: Flight) =>
      f.wires.size < COPIES && !f.wires.has(wire) && wire.peerPieces.get(f.block.piece) && this.hasRoom(wire);
    // When a copy asked of `wire` now would likely come, behind what it has queued.
    const due = (wire: Wire, f: Flight) => eta(rates.get(wire) ?? 0, queued.get(wire) ?? 0, f.block.length);
    for (const flight of worth) {
      // Well before the holder's: a copy is worth its bandwidth.
      const candidates = [...queued].filter(
        ([wire]) => open(wire, flight) && 2 * due(wire, flight) < flight.eta,
      );
      for (const [wire] of candidates.sort((a, b) => a[1] - b[1])) if (open(wire, flight)) copy(wire, flight);
    }
    // An idle peer's bandwidth is going unused: it takes copies, those due last first (capped peers send a
    // second's worth at once: a copy of a block near the head of a queue comes with the original), as long
    // as each would likely come before the holder's: past that, its queue only holds up what it is asked next.
    // A stalled holder's never comes: then even a peer whose rate is not known yet is the better bet.
    const latest = [...worth].sort((a, b) => b.eta - a.eta);
    const sooner = (wire: Wire, f: Flight) => !Number.isFinite(f.eta) || due(wire, f) < f.eta;
    for (const wire of idle) {
      if (queued.get(wire) !== 0) continue;
      for (const flight of latest) if (open(wire, flight) && sooner(wire, flight)) copy(wire, flight);
    }
  }

  /**
   * Clears the peers of each waited piece some of whose blocks nobody was asked for yet (see the top of this
   * file): a peer with room (one just unchoked) may have taken a few, the rest would wait behind the others'
   * pipelines.
   */
  private clearFor(): void {
    for (const piece of this.waited) {
      if (this.cleared.has(piece) || this.allIn(piece) || !(unaskedBlocks(this.torrent, piece) ?? 1))
        continue;
      this.cleared.add(piece);
      for (const wire of this.torrent.wires) {
        if (this.usable(wire) && wire.peerPieces.get(piece)) this.order.clear(wire, this.keeps);
      }
      // Once webtorrent has asked (in microtasks), its blocks may be copied to the others.
      this.schedule();
    }
  }

  /** Every block of `piece` came in: it is being verified, not waiting for anyone. */
  private allIn(piece: number): boolean {
    const { pieceLength, length } = this.torrent;
    return (this.received.get(piece) ?? 0) >= Math.min(pieceLength, length - piece * pieceLength);
  }

  /** A peer that may be asked now and whose requests may be cancelled or doubled. */
  private usable(wire: Wire): boolean {
    return !wire.destroyed && !wire.peerChoking && wire.type !== 'webSeed' && this.order.heeds(wire);
  }

  private hasRoom(wire: Wire): boolean {
    if ((this.perWire.get(wire) ?? 0) >= MAX_DUPLICATES_PER_WIRE) return false;
    const reqq = wire.peerExtendedHandshake?.reqq;
    return typeof reqq !== 'number' || reqq <= 0 || wire.requests.length < reqq;
  }

  private duplicate(wire: Wire, block: BlockRequest): void {
    const key = blockKey(block.piece, block.offset);
    const wires = this.duplicates.get(key) ?? new Set<Wire>();
    wires.add(wire);
    this.duplicates.set(key, wires);
    this.perWire.set(wire, (this.perWire.get(wire) ?? 0) + 1);
    // The callback may run at once (a wire that just closed); the bookkeeping above comes first. A copy
    // that fails (choke, close) is not asked again until something changes: no loop on a dead wire.
    wire.request(block.piece, block.offset, block.length, (err, chunk) => {
      if (this.forget(key, wire) && !err && chunk) this.settle(block, chunk, wire);
    });
  }

  /**
   * `chunk` arrived from `sender`: webtorrent's requests still pending for the block get it, our duplicates
   * are cancelled.
   */
  private settle(block: BlockRequest, chunk: Uint8Array, sender: Wire): void {
    const ours = this.duplicates.get(blockKey(block.piece, block.offset));
    for (const wire of this.torrent.wires) {
      if (ours?.has(wire) && this.forget(blockKey(block.piece, block.offset), wire)) {
        wire.cancel(block.piece, block.offset, block.length);
        this.order.told(wire, block.piece, block.offset, block.length);
      }
      // Also on the wire it came from: webtorrent may have asked it again for a block our copy was coming on.
      if (answerRequest(wire, block, chunk, sender))
        this.order.told(wire, block.piece, block.offset, block.length);
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
