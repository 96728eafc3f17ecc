/**
 * TCP first, uTP as the retry. webtorrent dials every IPv4 peer by uTP when uTP is on, and falls back to TCP
 * only after three uTP connect timeouts and back-offs (~40 s); a TCP-only peer (many are) then looks dead for
 * that long, and a magnet's metadata with it — and so does a peer coming back after a disconnect, since
 * webtorrent's reconnects are uTP again. Here each dial of an address alternates, starting with TCP: a peer
 * that refuses TCP fails at once and webtorrent's own reconnect tries it by uTP a second later.
 */
import type { Torrent } from 'webtorrent';

type Transport = 'tcp' | 'utp';

/** webtorrent internals used here (lib/torrent.js, 3.x): every outgoing dial goes through `_addPeer`. */
interface DialInternals {
  client: { utp: boolean };
  _addPeer(peer: unknown, type: Transport, source?: string): unknown;
}

const IPV4_ADDR = /^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/;

export function dialTcpFirst(torrent: Torrent): void {
  const internals = torrent as unknown as DialInternals;
  const original = internals._addPeer.bind(torrent);
  const last = new Map<string, Transport>();
  internals._addPeer = (peer, type, source) => {
    // Anything but an IPv4 'host:port' (IPv6 is TCP already, WebRTC has its own) keeps webtorrent's choice.
    if (typeof peer !== 'string' || !IPV4_ADDR.test(peer) || !internals.client.utp) {
      return original(peer, type, source);
    }
    const next: Transport = last.get(peer) === 'tcp' ? 'utp' : 'tcp';
    const added = original(peer, next, source);
    if (added) last.set(peer, next);
    return added;
  };
}
