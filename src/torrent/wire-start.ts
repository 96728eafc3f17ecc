/**
 * A peer connection's first seconds, where a stream's start waits on peers that are not webtorrent
 * (measured against aria2c and transmission-daemon seeders). webtorrent leaves three waits in:
 *
 * - It says `interested` only once it has the metadata. Seeders unchoke on their own schedule, and only
 *   peers interested by then (transmission rechokes every 10 s; aria2c at once, on `interested`). With
 *   nothing yet we want everything from anyone, so the wire says so as soon as the peer has read our
 *   handshake — not sooner: a webtorrent peer unchokes on the first `interested` through a listener it adds
 *   a microtask after reading the handshake, so one that comes in the same read is missed, and the peer
 *   unchokes only at its next rechoke, up to 10 s later.
 * - A wire's first request is a single block of the lowest selection's last piece (webtorrent "validates"
 *   a wire before using it), and the rest wait a round trip for it. When a read is waiting, the wire is
 *   asked for the pieces it waits on at once, alongside or instead.
 * - Its request pipeline is sized from the wire's download rate averaged over 5 s, time spent choked
 *   included: a seeder that unchokes after seconds starts at 2 blocks in flight, and the pipeline grows
 *   by about a fifth per round trip. transmission answers requests in bursts every 500 ms: that is 64 KB/s
 *   for seconds. Here the rate is at least the last second's, counted from the unchoke, and 128 kB/s until
 *   the peer has had a second to show its speed: 10 blocks in flight at first, then about twice as many per
 *   round trip. Not more at first: on a swarm of capped seeders the blocks a read waits on must spread over
 *   them, not queue behind the first that unchoked. And less once the peers that have shown their speed
 *   sent less: a capped seeder that unchokes later would otherwise hold seconds of the stream's next blocks.
 */
import type { Torrent, Wire } from 'webtorrent';
import { beforeWireUpdate, requestBlock } from './webtorrent-internals-hooks.js';

/** The recent rate's window: long enough to span two of transmission's bursts, 500 ms apart. */
const RECENT_MS = 1000;
/** The recent window's slots: bytes are counted by 100 ms. */
const SLOT_MS = 100;
const SLOTS = RECENT_MS / SLOT_MS;
/** The rate assumed of a peer in the first second after it unchokes us, in bytes a second. */
export const FIRST_SECOND_RATE = 128 * 1024;

export function startWiresQuickly(torrent: Torrent, waited: () => Array<[number, number]>): void {
  torrent.on('wire', (wire: Wire) => {
    rateFromUnchoke(wire, () => firstSecondRate(wire, torrent.wires));
    onceHeardAfterHandshake(wire, () => {
      if (!torrent.metadata && !wire.destroyed) wire.interested();
    });
  });
  beforeWireUpdate(torrent, (wire) => {
    // Until a wire's first block is in, webtorrent asks it for that one block only (its validation, which
    // may already be out when a read comes); once it is, webtorrent's own order puts the read first.
    if (wire.downloaded > 0 || wire.peerChoking || !torrent.ready) return;
    for (const [first, last] of waited()) {
      for (let piece = first; piece <= last; piece++) {
        if (!wire.peerPieces.get(piece) || torrent.bitfield?.get(piece)) continue;
        while (requestBlock(torrent, wire, piece)) {}
      }
    }
  });
}

/**
 * What a peer sends only once it has read our handshake: its extended handshake (sent when it knows from
 * ours that we speak the extension protocol) or what it has (a peer that has the metadata says so first).
 */
const AFTER_OUR_HANDSHAKE = ['extended', 'bitfield', 'have-all', 'have-none', 'have'] as const;

function onceHeardAfterHandshake(wire: Wire, then: () => void): void {
  const heard = () => {
    for (const event of AFTER_OUR_HANDSHAKE) wire.removeListener(event, heard);
    then();
  };
  for (const event of AFTER_OUR_HANDSHAKE) wire.on(event, heard);
}

/** Per wire, the rate it has shown (see rateFromUnchoke). */
const shownRates = new WeakMap<object, { shown(): number; assumed(): boolean; fresh(): boolean }>();
/** bittorrent-protocol's average spans 5 s: past that since an unchoke, it is all the peer's sending. */
const STEADY_MS = 5000;

/**
 * What a peer's first second after its unchoke is assumed to bring: FIRST_SECOND_RATE, or the best rate a
 * peer past its own first second has shown when that is less (a swarm of capped seeders): there the peer's
 * first requests would otherwise queue for seconds, ahead of everything it is asked next.
 */
export function firstSecondRate(wire: object, peers: Iterable<object>): number {
  const best = bestShown(wire, peers, (rate) => !rate.fresh());
  return best > 0 ? Math.min(FIRST_SECOND_RATE, best) : FIRST_SECOND_RATE;
}

/** The most any of `peers` but `wire` has shown, of those `counts` (0 when none has shown anything). */
function bestShown(
  wire: object,
  peers: Iterable<object>,
  counts: (rate: { fresh(): boolean }) => boolean = () => true,
): number {
  let best = 0;
  for (const peer of peers) {
    const rate = peer === wire ? undefined : shownRates.get(peer);
    if (rate && counts(rate)) best = Math.max(best, rate.shown());
  }
  return best;
}

/**
 * The rate `wire` is likely to send at, for deciding what to ask of it rather than how many requests to keep
 * in flight. The pipeline's rate answers bursts at once (a capped aria2c sends a second's worth at a time,
 * so the last second may hold two); here, once the peer has sent for 5 s since its unchoke, it is the 5 s
 * average. In the first second after an unchoke the assumed rate says nothing of the peer: there it is at
 * most the best any of `peers` has shown (on a swarm of capped seeders, theirs), never below its own.
 */
export function likelyRate(
  wire: Pick<Wire, 'downloadSpeed'>,
  peers: Iterable<Pick<Wire, 'downloadSpeed'>>,
): number {
  const rate = shownRates.get(wire);
  if (!rate) return wire.downloadSpeed();
  const own = rate.shown();
  if (!rate.assumed()) return own;
  const best = bestShown(wire, peers);
  return best > 0 ? Math.max(own, Math.min(best, wire.downloadSpeed())) : wire.downloadSpeed();
}

/**
 * Makes `wire.downloadSpeed()`, which webtorrent sizes the wire's request pipeline from, answer the larger of
 * bittorrent-protocol's 5 s average and the bytes received in the last second (by 100 ms), counted from the
 * last unchoke; and, in the first second after an unchoke, at least `assumedRate()`.
 */
export function rateFromUnchoke(
  wire: Pick<Wire, 'downloadSpeed'> & { on(event: 'unchoke', listener: () => void): unknown },
  assumedRate: () => number,
  now: () => number = performance.now.bind(performance),
): void {
  const measured = wire.downloadSpeed.bind(wire);
  let unchokedAt = now();
  // The bytes of the last second in 100 ms slots (no allocation per block): slot i holds period periods[i].
  const bytes = new Float64Array(SLOTS);
  const periods = new Float64Array(SLOTS).fill(Number.NEGATIVE_INFINITY);
  wire.on('unchoke', () => {
    unchokedAt = now();
    periods.fill(Number.NEGATIVE_INFINITY);
  });
  const shown = (delta?: number) => {
    const rate = measured(delta);
    const period = Math.floor(now() / SLOT_MS);
    if (delta) {
      const slot = period % SLOTS;
      if (periods[slot] !== period) {
        periods[slot] = period;
        bytes[slot] = 0;
      }
      bytes[slot]! += delta;
    }
    let recent = 0;
    for (let slot = 0; slot < SLOTS; slot++) if (periods[slot]! > period - SLOTS) recent += bytes[slot]!;
    return Math.max(rate, (recent * 1000) / RECENT_MS);
  };
  const fresh = () => now() - unchokedAt < RECENT_MS;
  shownRates.set(wire, {
    shown: () => (now() - unchokedAt >= STEADY_MS ? measured() : shown()),
    assumed: () => fresh() && shown() < assumedRate(),
    fresh,
  });
  wire.downloadSpeed = (delta?: number) => Math.max(shown(delta), fresh() ? assumedRate() : 0);
}
