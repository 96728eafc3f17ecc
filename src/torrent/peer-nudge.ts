/**
 * A capped aria2c seeder sends only when something wakes it: a message from its peer, or its own timer once
 * a second. Between, its upload cap's allowance builds up and goes out in one burst, so its blocks come a
 * second apart, and a block that misses a burst waits for the next (measured at 150 KB/s a seeder: the
 * start of a stream waited 0.6 s on three blocks that missed one). So while a read waits, every peer that
 * has our requests and is sending is told again, every NUDGE_MS, that we are interested: a message of five
 * bytes that changes nothing, and one aria2c does not count as flooding (keep-alives it does: two within
 * 5 s and it drops the connection). The seeder's cap holds; its bytes come as it allows, not on its clock.
 */
import type { Torrent, Wire } from 'webtorrent';

export const NUDGE_MS = 100;

export class PeerNudge {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly torrent: Torrent) {}

  /** Nudges the torrent's sending peers while `waiting`, from the next period on. */
  set waiting(waiting: boolean) {
    if (waiting && !this.timer) this.next();
    else if (!waiting && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private next(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.torrent.destroyed) return;
      for (const wire of this.torrent.wires) {
        if (wire.type !== 'webSeed' && !wire.peerChoking && wire.requests.length > 0)
          sayInterestedAgain(wire);
      }
      this.next();
    }, NUDGE_MS);
    this.timer.unref();
  }
}

/** Sends `interested` to a peer we are already interested in (the wire sends it only on a change). */
function sayInterestedAgain(wire: Wire): void {
  if (!wire.amInterested || wire.destroyed) return;
  wire.amInterested = false;
  wire.interested();
}
