/**
 * TCP first, uTP as the retry. webtorrent dials every IPv4 peer by uTP when uTP is on, and falls back to TCP
 * only after three uTP connect timeouts and back-offs (~40 s); a TCP-only peer (many are) then looks dead
 * for that long, and a magnet's metadata with it. A peer that refuses TCP fails at once and webtorrent's
 * own reconnect dials it again by uTP a second later, so uTP-only peers still connect.
 */
import type { Torrent } from 'webtorrent';

/** webtorrent internals used here (lib/torrent.js, 3.x). */
interface DialInternals {
  client: { utp: boolean; blocked?: { contains(host: string): boolean } };
  _addPeer(peer: string, type: 'tcp' | 'utp', source?: string): unknown;
}

const IPV4_ADDR = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;

/** Makes the first dial of every IPv4 'host:port' peer of `torrent` a TCP one (webtorrent's reconnects stay). */
export function dialTcpFirst(torrent: Torrent): void {
  const internals = torrent as unknown as DialInternals;
  const original = torrent.addPeer.bind(torrent);
  torrent.addPeer = (peer: string, source?: string): boolean => {
    const host = typeof peer === 'string' ? IPV4_ADDR.exec(peer)?.[1] : undefined;
    // Everything else (uTP off, IPv6, WebRTC, blocked, not started) keeps webtorrent's own handling.
    if (!host || !internals.client.utp || torrent.destroyed || !torrent.infoHash)
      return original(peer, source);
    if (internals.client.blocked?.contains(host)) return original(peer, source);
    const added = !!internals._addPeer(peer, 'tcp', source);
    torrent.emit(added ? 'peer' : 'invalidPeer', peer);
    return added;
  };
}
