/**
 * Pieces are verified off the event loop. webtorrent hashes each piece with node:crypto's synchronous SHA-1
 * on the event loop (~1 ms per MiB here: a fifth of its work at loopback speed, and a wait for every peer and
 * stream meanwhile); WebCrypto's digest runs the same SHA-1 on libuv's threadpool, so the event loop only
 * hands the piece over and compares the result.
 */
import { subtle } from 'node:crypto';
import type { Torrent } from 'webtorrent';
import { verifyPiecesWith } from './webtorrent-internals-verify.js';

/** Whether the SHA-1 of `data` is `expected` (hex), computed on the threadpool. */
export async function sha1Matches(data: Uint8Array, expected: string): Promise<boolean> {
  const digest = await subtle.digest('SHA-1', data);
  return Buffer.from(digest).toString('hex') === expected;
}

/** Every piece of `torrent`, downloaded or found on disk, is checked with sha1Matches. Before its metadata. */
export function verifyOffThread(torrent: Torrent): void {
  verifyPiecesWith(torrent, sha1Matches);
}
