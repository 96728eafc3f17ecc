/**
 * A peer that says `interested` early is unchoked as webtorrent means to unchoke every interested peer.
 * webtorrent does it through a listener it adds a microtask after reading the peer's handshake, and only
 * once the torrent has its metadata: an `interested` read in the same chunk as the handshake (on an incoming
 * wire, before webtorrent even emits it), or before the metadata, found no listener, and webtorrent's
 * rechoke did not make up for it (seen: not within 25 s).
 */
import type { Torrent, Wire } from 'webtorrent';

export function unchokeEarlyInterest(torrent: Torrent): void {
  const unchoke = (wire: Wire) => {
    if (torrent.ready && !torrent.destroyed && !wire.destroyed && wire.peerInterested && wire.amChoking) {
      wire.unchoke();
    }
  };
  torrent.on('wire', (wire: Wire) => {
    // A microtask later, as webtorrent's own listener would run: after its set-up of the wire. An incoming
    // wire may have read the peer's interested already (before its torrent was known).
    if (wire.peerInterested) queueMicrotask(() => unchoke(wire));
    else wire.once('interested', () => queueMicrotask(() => unchoke(wire)));
  });
  torrent.once('ready', () => queueMicrotask(() => torrent.wires.forEach(unchoke)));
}
