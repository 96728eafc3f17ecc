/** The peers a torrent has known, kept so that they can be dialled again. */
import type { Wire } from 'webtorrent';

const MAX_REMEMBERED_PEERS = 50;

export class KnownPeers {
  /** Peers to dial whenever a Torrent is attached: a magnet's x.pe hints, and peers seen before an eviction. */
  readonly hints: Set<string>;
  /** Outgoing peers that connected, most recent last: dialled again when a starving reader has none. */
  private readonly connected = new Set<string>();

  constructor(saved: readonly string[] = []) {
    this.hints = new Set(saved);
  }

  /** Notes a connected wire's address, when it can be dialled again. */
  remember(wire: Wire): void {
    // An incoming peer's port is not the one it listens on: only outgoing addresses can be dialled again.
    if (!wire.type?.includes('Outgoing') || !wire.remoteAddress || !wire.remotePort) return;
    const address = `${wire.remoteAddress}:${wire.remotePort}`;
    this.connected.delete(address);
    this.connected.add(address);
    if (this.connected.size > MAX_REMEMBERED_PEERS) {
      this.connected.delete(this.connected.values().next().value!);
    }
  }

  /** Keeps the addresses of `wires` as hints, for the next Torrent of the same torrent. */
  keep(wires: readonly Wire[]): void {
    for (const wire of wires) {
      if (wire.remoteAddress && wire.remotePort) this.hints.add(`${wire.remoteAddress}:${wire.remotePort}`);
    }
  }

  /** Every address worth dialling again. */
  all(): Set<string> {
    return new Set([...this.hints, ...this.connected]);
  }
}
