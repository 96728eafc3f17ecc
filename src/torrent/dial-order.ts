/**
 * TCP first, uTP as the retry. webtorrent dials every IPv4 peer by uTP when uTP is on, and falls back to TCP
 * only after three uTP connect timeouts and back-offs (~40 s); a TCP-only peer (many are) then looks dead for
 * that long, and a magnet's metadata with it — and so does a peer coming back after a disconnect, since
 * webtorrent's reconnects are uTP again. Here each dial of an address alternates, starting with TCP: a peer
 * that refuses TCP fails at once and webtorrent's own reconnect tries it by uTP a second later.
 */
import type { Torrent } from 'webtorrent';
import { interceptDials, type Transport } from './webtorrent-internals.js';

const IPV4_ADDR = /^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/;

export function dialTcpFirst(torrent: Torrent): void {
  const last = new Map<string, Transport>();
  interceptDials(torrent, {
    decide: ({ addr, utpEnabled }) => {
      // Anything but an IPv4 'host:port' (IPv6 is TCP already) keeps webtorrent's choice.
      if (!IPV4_ADDR.test(addr) || !utpEnabled) return 'as-is';
      return last.get(addr) === 'tcp' ? 'utp' : 'tcp';
    },
    // Only a dial webtorrent took counts: a duplicate or refused one must not flip the next choice.
    dialled: (addr, transport) => {
      if (IPV4_ADDR.test(addr)) last.set(addr, transport);
    },
  });
}
