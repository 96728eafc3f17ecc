/**
 * How pieces are verified. A downloaded piece is hashed block by block as its blocks arrive (node:crypto's
 * incremental SHA-1, ~10 µs a 16 KiB block on the event loop, never a whole piece at once), from the piece
 * buffer each block was just copied into (piece-buffers.ts), while still in the CPU's cache. Pieces found on
 * disk at start arrive whole, from a read: their SHA-1 runs on libuv's threadpool (WebCrypto), so checking a
 * large file does not hold the event loop.
 */
import { createHash, subtle } from 'node:crypto';
import type { Torrent } from 'webtorrent';
import { type PieceDigest, verifyPiecesWith } from './webtorrent-internals-verify.js';

/** Whether the SHA-1 of `data` is `expected` (hex), computed on the threadpool. */
export async function sha1Matches(data: Uint8Array, expected: string): Promise<boolean> {
  const digest = await subtle.digest('SHA-1', data);
  return Buffer.from(digest).toString('hex') === expected;
}

/** A SHA-1 fed a piece's blocks in order. */
export function sha1Digest(): PieceDigest {
  const hash = createHash('sha1');
  return {
    update: (block) => void hash.update(block),
    matches: async (expected) => hash.digest('hex') === expected,
  };
}

/**
 * Every piece of `torrent`, downloaded or found on disk, is checked by SHA-1 as above; a piece `waited` names
 * (a read waits on it) is readable from memory as soon as it passes. Before its metadata.
 */
export function verifyPieces(torrent: Torrent, waited?: (index: number) => boolean): void {
  verifyPiecesWith(torrent, { whole: sha1Matches, incremental: sha1Digest }, waited);
}
