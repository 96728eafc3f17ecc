/**
 * Endgame for the pieces reads wait on. webtorrent asks each block from one peer and takes it back only when
 * that peer chokes, leaves or times out (30 s), or, for critical pieces, when a peer that has been sending
 * fast lately wants it (its hotswap): a read can sit behind a peer that stalled while another idles.
 *
 * Here each block of a waited-on piece that is already asked for is also asked of other peers that have it
 * and let us ask, up to COPIES in flight. The first copy to arrive is handed to webtorrent's own request
 * (answerRequest) and every other one is cancelled. Blocks nobody asked for yet are webtorrent's to ask:
 * the pieces are critical and in the read's selection, so they go first.
 */
import type { BlockRequest, Torrent, Wire } from 'webtorrent';
import { answerRequest } from './webtorrent-internals.js';

/** Copies of a block in flight at once, webtorrent's own request included. */
export const COPIES = 3;
/** Duplicates one peer holds at most: a waiting read takes little of what else the peer is doing. */
export const MAX_DUPLICATES_PER_WIRE = 32;

interface Flight {
  block: BlockRequest;
  wires: Set<Wire>;
}

const keyOf = (piece: number, offset: number) => `${piece}:${offset}`;

export class Endgame {
  private waited = new Set<number>();
  /** Our duplicate requests in flight: by block, the wires asked. */
  private readonly duplicates = new Map<string, Set<Wire>>();
  private readonly perWire = new Map<Wire, number>();
  private scheduled = false;

  constructor(private readonly torrent: Torrent) {
    for (const wire of torrent.wires) this.watch(wire);
    torrent.on('wire', (wire: Wire) => this.watch(wire));
    // A verified piece frees pipelines: webtorrent asks for more, possibly blocks a read waits on.
    torrent.on('verified', () => this.schedule());
  }

  /** The pieces reads wait on now. Called right after the selections change (webtorrent has asked). */
  chase(pieces: Iterable<number>): void {
    this.waited = new Set(pieces);
    this.run();
  }

  private watch(wire: Wire): void {
    const kick = () => this.schedule();
    for (const event of ['unchoke', 'have', 'bitfield', 'choke', 'close']) wire.on(event, kick);
    wire.on('piece', (piece: number, offset: number, chunk: Uint8Array) => {
      if (this.duplicates.has(keyOf(piece, offset))) {
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
    const helpers = torrent.wires.filter(
      (wire) => !wire.destroyed && !wire.peerChoking && wire.type !== 'webSeed',
    );
    for (const flight of this.flights()) {
      const candidates = helpers
        .filter(
          (wire) => !flight.wires.has(wire) && wire.peerPieces.get(flight.block.piece) && this.hasRoom(wire),
        )
        .sort((a, b) => a.requests.length - b.requests.length);
      for (const wire of candidates.slice(0, Math.max(0, COPIES - flight.wires.size))) {
        this.duplicate(wire, flight.block);
      }
    }
  }

  /** Every block of a waited-on piece asked of some peer, lowest first (the read needs the first first). */
  private flights(): Flight[] {
    const flights = new Map<string, Flight>();
    for (const wire of this.torrent.wires) {
      for (const { piece, offset, length } of wire.requests) {
        if (!this.waited.has(piece)) continue;
        const key = keyOf(piece, offset);
        const flight = flights.get(key) ?? { block: { piece, offset, length }, wires: new Set<Wire>() };
        flight.wires.add(wire);
        flights.set(key, flight);
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
