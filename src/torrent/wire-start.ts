/**
 * A peer connection's first seconds, where a stream's start waits on peers that are not webtorrent
 * (measured against aria2c and transmission-daemon seeders). webtorrent leaves three waits in:
 *
 * - It says `interested` only once it has the metadata. Seeders unchoke on their own schedule, and only
 *   peers interested by then (transmission rechokes every 10 s; aria2c at once, on `interested`). With
 *   nothing yet we want everything from anyone, so the wire says so as soon as it is up.
 * - A wire's first request is a single block of the lowest selection's last piece (webtorrent "validates"
 *   a wire before using it), and the rest wait a round trip for it. When a read is waiting, the first
 *   requests go to the pieces it waits on instead.
 * - Its request pipeline is sized from the wire's download rate over the last 5 s, time spent choked
 *   included: a seeder that unchokes after seconds starts at 2 blocks in flight and grows by a fifth per
 *   round trip. transmission answers requests in bursts every 500 ms, so that is 64 KB/s for seconds.
 *   Here the rate counts from the unchoke, as if it were one piece a second until the peer has had a
 *   second to show its speed: the piece a read waits on is asked for whole, and the pipeline then doubles
 *   per round trip (every block received adds one) until the measured rate takes over.
 */
import type { Torrent, Wire } from 'webtorrent';
import { beforeWireUpdate, requestBlock } from './webtorrent-internals.js';

/** bittorrent-protocol's rate window: past it, its own measure covers only unchoked time. */
const RATE_WINDOW_S = 5;
/** The assumed first-second rate: one piece, but never more than this many bytes a second. */
const MAX_ASSUMED_RATE = 2 * 1024 * 1024;

export function startWiresQuickly(torrent: Torrent, waited: () => Array<[number, number]>): void {
  torrent.on('wire', (wire: Wire) => {
    rateFromUnchoke(wire, () => Math.min(torrent.pieceLength || 0, MAX_ASSUMED_RATE));
    // A microtask later: on an incoming wire webtorrent sends its own handshake right after this event.
    queueMicrotask(() => {
      if (!torrent.metadata && !wire.destroyed) wire.interested();
    });
  });
  beforeWireUpdate(torrent, (wire) => {
    // Only a wire webtorrent has not used yet: it would spend the first round trip validating it.
    if (wire.downloaded > 0 || wire.peerChoking || wire.requests.length > 0 || !torrent.ready) return;
    for (const [first, last] of waited()) {
      for (let piece = first; piece <= last; piece++) {
        if (!wire.peerPieces.get(piece) || torrent.bitfield?.get(piece)) continue;
        while (requestBlock(torrent, wire, piece)) {}
      }
    }
  });
}

/**
 * Makes `wire.downloadSpeed()` (what webtorrent sizes the wire's pipeline from) count from the last unchoke:
 * `assumed()` bytes a second, or the bytes received if more, in the first second; then the average since
 * the unchoke, until bittorrent-protocol's own window holds only unchoked time.
 */
export function rateFromUnchoke(
  wire: Pick<Wire, 'downloadSpeed'> & { on(event: 'unchoke', listener: () => void): unknown },
  assumed: () => number,
  now: () => number = performance.now.bind(performance),
): void {
  const measured = wire.downloadSpeed.bind(wire);
  let since = now();
  let bytes = 0;
  wire.on('unchoke', () => {
    since = now();
    bytes = 0;
  });
  wire.downloadSpeed = (delta?: number) => {
    const rate = measured(delta);
    if (delta) bytes += delta;
    const seconds = (now() - since) / 1000;
    if (seconds >= RATE_WINDOW_S) return rate;
    return Math.max(rate, seconds < 1 ? Math.max(bytes, assumed()) : bytes / seconds);
  };
}
