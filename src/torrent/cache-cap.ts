/** Which torrents' data to evict so the cache fits its cap: least recently used first, never one in use. */
export interface CacheItem {
  infoHash: string;
  /** Bytes it holds on disk. */
  bytes: number;
  /** Last streamed (or added), ms since the epoch. */
  lastUsed: number;
  /** Ready, holding data, and nobody is reading from it. */
  evictable: boolean;
}

export function planEviction(items: readonly CacheItem[], maxBytes: number): string[] {
  let total = items.reduce((sum, item) => sum + item.bytes, 0);
  const victims: string[] = [];
  const candidates = items
    .filter((item) => item.evictable && item.bytes > 0)
    .sort((a, b) => a.lastUsed - b.lastUsed);
  for (const item of candidates) {
    if (total <= maxBytes) break;
    victims.push(item.infoHash);
    total -= item.bytes;
  }
  return victims;
}
