/** What the user typed as SOURCE, turned into a catalog entry: a torrent (by any usual means) or a local file. */
import { open, readFile, stat } from 'node:fs/promises';
import type { CatalogEntry } from '../catalog/types.js';
import type { Runtime } from './runtime.js';

export class SourceError extends Error {}

export type SourceKind = 'magnet' | 'info-hash' | 'url' | 'torrent-file' | 'media-file';

export async function classifySource(source: string): Promise<SourceKind> {
  if (/^magnet:/i.test(source)) return 'magnet';
  if (/^[0-9a-f]{40}$/i.test(source) || /^[a-z2-7]{32}$/i.test(source)) return 'info-hash';
  if (/^https?:\/\//i.test(source)) return 'url';
  const info = await stat(source).catch(() => null);
  if (!info)
    throw new SourceError(`${source}: no such file, and not a magnet link, info-hash or http(s) URL`);
  if (!info.isFile()) throw new SourceError(`${source} is not a file`);
  if (source.toLowerCase().endsWith('.torrent')) return 'torrent-file';
  return (await startsLikeTorrent(source)) ? 'torrent-file' : 'media-file';
}

/**
 * A .torrent saved under another name (a browser's download of `…/download?id=1`): bencoded, it opens a
 * dictionary with its first key (`d8:announce`, `d4:info`…), which no media container's magic bytes do.
 */
async function startsLikeTorrent(path: string): Promise<boolean> {
  const file = await open(path, 'r').catch(() => null);
  if (!file) return false; // unreadable: addSource says why
  try {
    const { bytesRead, buffer } = await file.read(Buffer.alloc(16), 0, 16, 0);
    return /^d\d{1,2}:[a-z]/.test(buffer.subarray(0, bytesRead).toString('latin1'));
  } finally {
    await file.close();
  }
}

/** Adds the source; torrent input errors become SourceErrors (exit code 2). */
export async function addSource(runtime: Runtime, source: string, kind: SourceKind): Promise<CatalogEntry> {
  try {
    if (kind === 'media-file') return await runtime.catalog.addLocalFile(source);
    const input = kind === 'torrent-file' ? await readFile(source) : source;
    return (await runtime.engine.add(input)).entry;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new SourceError(`cannot open ${source}: ${message}`);
  }
}
