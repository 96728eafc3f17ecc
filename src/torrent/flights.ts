/**
 * The blocks of the pieces reads wait on that are asked of some peer, and when each likely comes: a peer
 * answers in the order asked, so a block comes once what stands before it on the fastest of its holders
 * has, at that peer's rate (what it was told to cancel and may still send counted first).
 */
import type { BlockRequest, Wire } from 'webtorrent';
import { blockKey } from './request-order.js';

export interface Flight {
  block: BlockRequest;
  wires: Set<Wire>;
  /** Seconds until the first holder likely sends it. */
  eta: number;
}

/** What a peer's place in line is made of. */
export interface Line {
  /** Bytes a second. */
  rate(wire: Wire): number;
  /** Bytes that may come before the first of its requests. */
  before(wire: Wire): number;
}

/** Seconds until a block comes with `ahead` bytes queued before it, at `rate`. */
export function eta(rate: number, ahead: number, length: number): number {
  return rate > 0 ? (ahead + length) / rate : Number.POSITIVE_INFINITY;
}

/** Every block of `waited` pieces asked of one of `wires`, lowest first (the read needs the first first). */
export function flightsOf(wires: Iterable<Wire>, waited: ReadonlySet<number>, line: Line): Flight[] {
  const flights = new Map<string, Flight>();
  for (const wire of wires) {
    let ahead = line.before(wire);
    for (const { piece, offset, length } of wire.requests) {
      if (waited.has(piece)) {
        const key = blockKey(piece, offset);
        const flight = flights.get(key) ?? {
          block: { piece, offset, length },
          wires: new Set<Wire>(),
          eta: Number.POSITIVE_INFINITY,
        };
        flight.wires.add(wire);
        flight.eta = Math.min(flight.eta, eta(line.rate(wire), ahead, length));
        flights.set(key, flight);
      }
      ahead += length;
    }
  }
  return [...flights.values()].sort(
    (a, b) => a.block.piece - b.block.piece || a.block.offset - b.block.offset,
  );
}
