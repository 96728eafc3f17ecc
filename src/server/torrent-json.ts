/** The torrent object (docs/api.md), built from a catalog entry with the URLs only the server knows. */
import type { Catalog } from '../catalog/catalog.js';
import type { PlayPosition } from '../catalog/play-positions.js';
import type { LastStart } from '../catalog/start-ledger.js';
import type { CatalogEntry, CatalogFile } from '../catalog/types.js';

export interface TorrentFileJson extends CatalogFile {
  streamUrl: string;
  /** The file's HLS multivariant playlist. */
  hlsUrl: string;
  downloaded?: Array<[number, number]>;
  /** Byte offsets the file's live readers (streams) have reached. */
  readers?: number[];
  /** Where playback last stopped; absent when never played. */
  position?: PositionJson;
}

export interface PositionJson {
  seconds: number;
  duration?: number;
  /** ISO 8601; absent when never played. */
  updatedAt?: string;
}

/** A play position as the API shows it: `{ seconds: 0 }` for none. */
export function positionJson(position: PlayPosition | undefined): PositionJson {
  if (!position) return { seconds: 0 };
  const { seconds, duration, updatedAt } = position;
  return { seconds, ...(duration ? { duration } : {}), updatedAt: new Date(updatedAt).toISOString() };
}

export interface TorrentJson extends Omit<CatalogEntry, 'files'> {
  stallReason: string | null;
  /** The entry's last stream start and its phases (src/server/start-phases.ts); absent before one. */
  lastStart?: LastStart;
  files: TorrentFileJson[];
}

export function streamPath(infoHash: string, index: number): string {
  return `/stream/${infoHash}/${index}`;
}

export function torrentJson(
  catalog: Catalog,
  entry: CatalogEntry,
  baseUrl: string,
  options: { withRanges?: boolean } = {},
): TorrentJson {
  const lastStart = catalog.starts.lastStart(entry.infoHash);
  const positions = catalog.positions(entry.infoHash);
  return {
    ...entry,
    stallReason: catalog.stallReason(entry.infoHash),
    ...(lastStart ? { lastStart } : {}),
    files: entry.files.map((file) => ({
      ...file,
      streamUrl: `${baseUrl}${streamPath(entry.infoHash, file.index)}`,
      hlsUrl: `${baseUrl}/hls/${entry.infoHash}/${file.index}/master.m3u8`,
      ...(positions?.get(file.index) ? { position: positionJson(positions.get(file.index)) } : {}),
      ...(options.withRanges
        ? {
            downloaded: catalog.fileRanges(entry.infoHash, file.index),
            readers: catalog.readerOffsets(entry.infoHash, file.index),
          }
        : {}),
    })),
  };
}
