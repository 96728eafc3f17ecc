/**
 * Peers that send corrupt data are banned. webtorrent only drops a piece that fails its hash and asks for it
 * again — often from the same peer. When a piece fails, its blocks (copied: failures are rare) and the address
 * that sent each become suspects; once the piece is verified from other peers, the stored copy tells which
 * blocks were wrong and their senders are banned (libtorrent's "smart ban": no honest peer that shared a piece
 * with a liar is blamed). A peer that was the only source of several failed pieces is banned too, even before
 * a good copy arrives.
 *
 * Bans are by IP address, as in other clients, and shared by all torrents of the engine: the banned address
 * is refused on every dial (also webtorrent's reconnects) and its connections are dropped.
 */
import { EventEmitter } from 'node:events';
import type { Torrent, Wire } from 'webtorrent';
import { interceptDials } from './webtorrent-internals.js';
import { onPieceRejected, type RejectedListener } from './webtorrent-internals-verify.js';

/** Failed pieces a peer may be the only source of before it is banned. */
export const MAX_SOLE_FAILURES = 3;

export interface Ban {
  host: string;
  reason: string;
}

export class BanList extends EventEmitter<{ ban: [Ban] }> {
  private readonly hosts = new Map<string, string>();
  /** The open torrents, whose connections to a newly banned host are dropped (a set, not a listener each). */
  private readonly torrents = new Set<Torrent>();

  has(host: string): boolean {
    return this.hosts.has(host);
  }

  ban(host: string, reason: string): void {
    if (this.hosts.has(host)) return;
    this.hosts.set(host, reason);
    for (const torrent of this.torrents) {
      for (const wire of torrent.wires) if (wire.remoteAddress === host) wire.destroy();
    }
    this.emit('ban', { host, reason });
  }

  /** Drops `torrent`'s connections to every host banned from now on, until it closes. */
  guard(torrent: Torrent): void {
    this.torrents.add(torrent);
    torrent.once('close', () => this.torrents.delete(torrent));
  }

  list(): Ban[] {
    return [...this.hosts].map(([host, reason]) => ({ host, reason }));
  }
}

interface Block {
  offset: number;
  data: Uint8Array;
  host: string;
}

const HOST_OF_ADDR = /^\[?([^\]]+?)\]?:\d+$/;

/** Where failed pieces are reported: piece verification (verifyPiecesWith), or a stand-in in tests. */
export type Rejections = (torrent: Torrent, listener: RejectedListener) => unknown;

export function guardAgainstBadPeers(
  torrent: Torrent,
  bans: BanList,
  rejections: Rejections = onPieceRejected,
): void {
  const suspects = new Map<number, Block[]>();
  const soleFailures = new Map<string, number>();

  interceptDials(torrent, {
    decide: ({ addr }) => {
      const host = HOST_OF_ADDR.exec(addr)?.[1];
      return host && bans.has(host) ? 'refuse' : 'as-is';
    },
  });

  bans.guard(torrent);

  torrent.on('wire', (wire: Wire) => {
    const host = wire.remoteAddress;
    if (host && bans.has(host)) wire.destroy();
  });

  rejections(torrent, (index, rejected) => {
    const blocks: Block[] = [];
    for (const { offset, data, source } of rejected) {
      const host = (source as Partial<Wire> | undefined)?.remoteAddress;
      if (host) blocks.push({ offset, data: Buffer.from(data), host });
    }
    suspects.set(index, [...(suspects.get(index) ?? []), ...blocks]);
    const senders = new Set(blocks.map((block) => block.host));
    if (senders.size !== 1) return;
    const [host] = senders as Set<string>;
    const failures = (soleFailures.get(host) ?? 0) + 1;
    soleFailures.set(host, failures);
    if (failures >= MAX_SOLE_FAILURES) bans.ban(host, `sent ${failures} pieces that failed the hash`);
  });

  torrent.on('verified', (index: number) => {
    const blocks = suspects.get(index);
    if (!blocks) return;
    suspects.delete(index);
    torrent.store?.get(index, null, (err, piece) => {
      if (err || !piece) return;
      for (const block of blocks) {
        const good = piece.subarray(block.offset, block.offset + block.data.length);
        if (Buffer.compare(good, block.data) !== 0) {
          bans.ban(block.host, `sent data for piece ${index} that failed the hash`);
        }
      }
    });
  });
}
