/**
 * Pieces are verified off the event loop. webtorrent hashes each piece with node:crypto's synchronous SHA-1
 * on the event loop (~1 ms per MiB here: a fifth of its work at loopback speed, and a wait for every peer and
 * stream meanwhile); WebCrypto's digest runs the same SHA-1 on libuv's threadpool, so the event loop only
 * hands the piece over and compares the result. A piece a read waits on is the exception: behind the rest of
 * a full-speed download its digest came back 30–170 ms later on a loaded machine, where hashing it at once
 * costs the loop well under a millisecond (pieces up to URGENT_MAX_BYTES).
 */
import { createHash, subtle } from 'node:crypto';
import type { Torrent } from 'webtorrent';
import { type PieceCheck, verifyPiecesWith } from './webtorrent-internals-verify.js';

/** The largest piece hashed on the event loop when a read waits on it: ~2 ms of SHA-1. */
export const URGENT_MAX_BYTES = 2 * 1024 * 1024;

/** Whether the SHA-1 of `data` is `expected` (hex), computed on the threadpool. */
export async function sha1Matches(data: Uint8Array, expected: string): Promise<boolean> {
  const digest = await subtle.digest('SHA-1', data);
  return Buffer.from(digest).toString('hex') === expected;
}

/**
 * Every piece of `torrent`, downloaded or found on disk, is checked with sha1Matches, or on the event loop
 * when `urgent` says a read waits on it. Before its metadata.
 */
export function verifyOffThread(torrent: Torrent, urgent: (index: number) => boolean = () => false): void {
  verifyPiecesWith(torrent, pieceCheck(urgent));
}

/** sha1Matches, or the same on the event loop for a piece `urgent` names (up to URGENT_MAX_BYTES). */
export function pieceCheck(urgent: (index: number) => boolean): PieceCheck {
  return (data, expected, index) => {
    if (data.byteLength > URGENT_MAX_BYTES || !urgent(index)) return sha1Matches(data, expected);
    return Promise.resolve(createHash('sha1').update(data).digest('hex') === expected);
  };
}
