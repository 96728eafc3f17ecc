/**
 * The one place torrent events become log lines: added, ready, removed from the engine's events, and
 * stalled/resumed from sampling each torrent's stall reason once a second (a stall is a state, not an event).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { CatalogEntry } from '../catalog/types.js';
import type { TorrentEngine } from '../torrent/index.js';
import { isStalled } from '../torrent/torrent-stats.js';
import { formatBytes } from './format.js';
import { StallTracker } from './stall-tracker.js';

const SAMPLE_MS = 1000;

/** `"Big Buck Bunny" (4f1c…e2)`, or the short hash alone while the name is unknown. */
export function describeTorrent(entry: Pick<CatalogEntry, 'infoHash' | 'name'>): string {
  const short = `${entry.infoHash.slice(0, 4)}…${entry.infoHash.slice(-2)}`;
  return entry.name && entry.name !== entry.infoHash ? `"${entry.name}" (${short})` : short;
}

type Events = Pick<TorrentEngine, 'events' | 'list' | 'stallReason'>;

/** Logs the engine's torrent events until the returned function is called. */
export function logTorrentEvents(engine: Events, log: FastifyBaseLogger, sampleMs = SAMPLE_MS): () => void {
  const fields = (entry: CatalogEntry, event: string) => ({
    event,
    infoHash: entry.infoHash,
    name: entry.name,
  });
  const onAdded = (entry: CatalogEntry) =>
    log.info(fields(entry, 'added'), `added ${describeTorrent(entry)}`);
  const onReady = (entry: CatalogEntry) => {
    const files = `${entry.files.length} file${entry.files.length === 1 ? '' : 's'}`;
    log.info(
      { ...fields(entry, 'ready'), files: entry.files.length, bytes: entry.length },
      `ready ${describeTorrent(entry)}: ${files}, ${formatBytes(entry.length)}`,
    );
  };
  const trackers = new Map<string, StallTracker>();
  const onRemoved = (entry: CatalogEntry) => {
    trackers.delete(entry.infoHash);
    log.info(fields(entry, 'removed'), `removed ${describeTorrent(entry)}`);
  };
  const sample = () => {
    for (const entry of engine.list()) {
      const tracker = trackers.get(entry.infoHash) ?? new StallTracker();
      trackers.set(entry.infoHash, tracker);
      const reason = engine.stallReason(entry.infoHash);
      const change = tracker.update(isStalled(reason));
      if (change === 'stalled') {
        log.info({ ...fields(entry, 'stalled'), reason }, `stalled ${describeTorrent(entry)}: ${reason}`);
      } else if (change === 'resumed') {
        // A stall also ends when its reader goes away: that is not data flowing again.
        const how = reason === null ? ': nobody waits for it now' : '';
        log.info(fields(entry, 'resumed'), `resumed ${describeTorrent(entry)}${how}`);
      }
    }
  };
  engine.events.on('added', onAdded);
  engine.events.on('ready', onReady);
  engine.events.on('removed', onRemoved);
  const timer = setInterval(sample, sampleMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    engine.events.off('added', onAdded);
    engine.events.off('ready', onReady);
    engine.events.off('removed', onRemoved);
  };
}
