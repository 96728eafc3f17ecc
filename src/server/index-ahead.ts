/**
 * A seek into a part of a file not yet downloaded first needs the file's keyframe index, to know where the
 * keyframe before the target is; Matroska keeps it (its Cues) at the end, so a seek would wait for pieces
 * there before it could start. Once a stream of a torrent file is out, the index is read in the background
 * (its pieces taken in turn with the stream's, never before them): a later seek finds it known.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { CatalogEntry, CatalogFile } from '../catalog/types.js';
import type { KeyframeCache } from './keyframe-cache.js';
import { onDisk } from './seek-start.js';

export interface IndexAheadOptions {
  catalog: Catalog;
  keyframes: KeyframeCache;
  opened: { entry: CatalogEntry; file: CatalogFile };
  /** The probe's format name, or the file name's extension. */
  container: { formatName: string };
}

/** Reads the file's keyframe index in the background, unless it is known or the whole file is on disk. */
export function readIndexAhead({ catalog, keyframes, opened, container }: IndexAheadOptions): void {
  if (!onDisk(catalog, opened, { offset: 0, length: opened.file.length }))
    keyframes.prefetch(opened, container);
}
