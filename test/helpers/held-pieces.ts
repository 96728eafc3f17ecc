/** A webtorrent seeder made to lack some pieces until the test announces them: order without timing. */
import type { PortSeeder } from '../reliability/support.js';

export interface HeldPieces {
  held: number[];
  /** Announces the held pieces to every peer. */
  release(): void;
}

/**
 * Makes the seeder lack the pieces from byte `from` on (its bitfield says so, so nobody asks it for
 * them) until `release()` announces them.
 */
export function holdBack(seeder: PortSeeder, from: number): HeldPieces {
  const torrent = seeder.torrent as unknown as {
    length: number;
    pieceLength: number;
    bitfield: { set(piece: number, value: boolean): void };
    wires: Array<{ have(piece: number): void }>;
  };
  const held: number[] = [];
  const pieces = Math.ceil(torrent.length / torrent.pieceLength);
  for (let piece = Math.floor(from / torrent.pieceLength); piece < pieces; piece++) {
    torrent.bitfield.set(piece, false);
    held.push(piece);
  }
  return {
    held,
    release() {
      for (const piece of held) {
        torrent.bitfield.set(piece, true);
        for (const wire of torrent.wires) wire.have(piece);
      }
    },
  };
}
