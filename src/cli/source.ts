/** What the user typed as SOURCE, turned into a catalog entry: a torrent (by any usual means) or a local file. */
import { readFile, stat } from 'node:fs/promises';
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
  return source.toLowerCase().endsWith('.torrent') ? 'torrent-file' : 'media-file';
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
