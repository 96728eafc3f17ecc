/**
 * What a webtorrent Torrent's own events mean to the engine: progress worth saving (ready, done), the
 * 'ready' the server's log reports, and webtorrent closing the torrent itself after a store error (a full
 * disk), which leaves it listed with its reason while everything waiting on it fails with that reason.
 */
import type { Torrent } from 'webtorrent';
import { hideServerPaths } from '../catalog/server-paths.js';
import type { TorrentRecord } from './torrent-record.js';

export interface WatchHandlers {
  warn(message: string): void;
  /** Saves the engine's state; a failure here is retried by the next save. */
  save(): Promise<void>;
  /** The torrent's files are known, for the first time in this record's life (not after an eviction). */
  ready(record: TorrentRecord): void;
}

export function watchTorrent(record: TorrentRecord, torrent: Torrent, handlers: WatchHandlers): void {
  let lastError: string | undefined;
  torrent.on('error', (err: Error) => {
    // Shown in the API (the torrent's error, its streams' 503): file names relative to the torrent's folder.
    lastError = hideServerPaths(err.message, record.folder);
    handlers.warn(`${record.infoHash}: ${lastError}`);
  });
  torrent.on('warning', () => {}); // tracker hiccups and bad pieces: webtorrent retries on its own
  torrent.once('ready', () => {
    void handlers.save().catch(() => {});
    if (record.torrent === torrent && !record.closing && !record.evicted) handlers.ready(record);
  });
  torrent.once('done', () => void handlers.save().catch(() => {}));
  torrent.once('close', () => {
    // Removing it stays the user's call.
    if (record.closing || record.torrent !== torrent) return;
    record.stop(lastError ?? 'the torrent stopped after an error');
  });
}
