/** What the catalog shows of a torrent: docs/api.md's torrent object (minus URLs) and why a reader waits. */
import type { Torrent } from 'webtorrent';
import { mimeOf } from '../catalog/mime.js';
import type { CatalogEntry, CatalogFile } from '../catalog/types.js';

/** `paths` are the sanitised relative paths of the files (undefined until metadata). */
export function catalogEntry(torrent: Torrent, infoHash: string, paths: string[] | undefined): CatalogEntry {
  const ready = torrent.ready && !!paths;
  const files: CatalogFile[] = ready
    ? torrent.files.map((file, index) => ({
        index,
        name: paths![index]!.split('/').pop()!,
        path: paths![index]!,
        length: file.length,
        progress: file.length === 0 ? 1 : file.progress,
        mime: mimeOf(file.name),
      }))
    : [];
  return {
    infoHash,
    name: torrent.name || infoHash,
    ready,
    length: ready ? torrent.length : 0,
    progress: ready ? torrent.progress : 0,
    downloadSpeed: Math.round(torrent.downloadSpeed),
    uploadSpeed: Math.round(torrent.uploadSpeed),
    numPeers: torrent.numPeers,
    files,
  };
}

/** Why a reader of this torrent is waiting; null when nobody waits for data. */
export function stallReason(torrent: Torrent, readersWaiting: number): string | null {
  if (torrent.destroyed) return null;
  if (!torrent.metadata) return 'fetching metadata';
  if (!torrent.ready) return 'checking data on disk';
  if (readersWaiting === 0) return null;
  if (torrent.wires.length === 0) return 'no peers';
  if (torrent.wires.every((wire) => wire.peerChoking)) return 'peers are choking us';
  return `downloading at ${formatSpeed(torrent.downloadSpeed)}`;
}

/** Whether a stall reason means nothing is arriving (rather than data coming slowly, or a check of the disk). */
export function isStalled(reason: string | null): boolean {
  return reason !== null && !reason.startsWith('downloading at') && reason !== 'checking data on disk';
}

export function formatSpeed(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1_000_000) return `${(bytesPerSecond / 1_000_000).toFixed(1)} MB/s`;
  return `${Math.round(bytesPerSecond / 1000)} kB/s`;
}
