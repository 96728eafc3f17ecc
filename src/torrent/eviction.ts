/**
 * Keeps downloaded data under the cache cap: the least recently streamed torrents nobody is reading lose
 * their data (cache-cap.ts plans which) and are added back deselected: still listed, downloaded again only
 * when streamed.
 */
import { rm } from 'node:fs/promises';
import { closeTorrent } from './attach.js';
import { planEviction } from './cache-cap.js';
import { DEFAULT_MAX_CACHE_BYTES } from './engine-options.js';
import type { TorrentRecord } from './torrent-record.js';

export interface EvictionContext {
  records: ReadonlyMap<string, TorrentRecord>;
  /** Default DEFAULT_MAX_CACHE_BYTES. */
  maxCacheBytes?: number;
  /** Bytes kept elsewhere for a torrent (derived data), counted with its own. */
  extraBytes(infoHash: string): number;
  /** The engine closed meanwhile: nothing is added back. */
  closed(): boolean;
  /** Adds the torrent back to webtorrent for its record, from its .torrent bytes. */
  reattach(record: TorrentRecord, torrentFile: Uint8Array): Promise<unknown>;
}

/** Evicts until the total fits under the cap; returns the info-hashes evicted. */
export async function enforceCap(context: EvictionContext): Promise<string[]> {
  const victims = planEviction(
    [...context.records.values()].map((record) => ({
      infoHash: record.infoHash,
      bytes: (record.torrent.ready ? record.torrent.downloaded : 0) + context.extraBytes(record.infoHash),
      lastUsed: Math.max(record.lastStreamedAt, record.addedAt),
      evictable: record.ready && record.idle,
    })),
    context.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES,
  );
  for (const infoHash of victims) {
    const record = context.records.get(infoHash);
    if (record) await evict(context, record);
  }
  return victims;
}

async function evict(context: EvictionContext, record: TorrentRecord): Promise<void> {
  const torrentFile = record.torrent.torrentFile;
  record.detach();
  await closeTorrent(record, true);
  await rm(record.folder, { recursive: true, force: true });
  if (context.closed()) return;
  record.evicted = true;
  await context.reattach(record, torrentFile);
}
