/**
 * Putting a record's torrent into webtorrent and taking it out again. Each torrent gets a store confined to
 * its own folder, sharing the process's bounded open files (file-store.ts); peers are dialled only once
 * webtorrent knows the info-hash (it throws before), and its trackers are cut to MAX_TRACKERS then, before
 * webtorrent announces to them.
 */
import { existsSync } from 'node:fs';
import type WebTorrent from 'webtorrent';
import type { Torrent, Wire } from 'webtorrent';
import { dialTcpFirst } from './dial-order.js';
import { unchokeEarlyInterest } from './early-interest.js';
import { askTransmissionForMetadataEarly } from './early-metadata.js';
import { fileStore } from './file-store.js';
import { type BanList, guardAgainstBadPeers } from './peer-bans.js';
import { verifyPieces } from './piece-verify.js';
import type { TorrentRecord } from './torrent-record.js';
import { limitError } from './torrent-shape.js';
import type { TransferTotals } from './transfer-totals.js';
import { closeTrackersQuietly } from './webtorrent-internals.js';
import {
  guardMetadata,
  neverHotswap,
  skipFullyAskedPieces,
  skipTorrentDebugMessages,
} from './webtorrent-internals-hooks.js';
import { startWithNothingStored } from './webtorrent-internals-verify.js';
import {
  copyOnlyCutMessages,
  findRequestsInOrder,
  joinSmallMessages,
  skipDebugMessages,
} from './wire-buffering.js';
import { startWiresQuickly } from './wire-start.js';

/**
 * Trackers announced to per torrent (besides the engine's `announce` option). Real torrents name a few dozen;
 * webtorrent announces to all at once, and 10 000 blocked the event loop for seconds, at add and at shutdown.
 */
export const MAX_TRACKERS = 50;

export interface AttachOptions {
  announce: string[];
  magnet?: string;
  /** Verified pieces saved by a previous run: webtorrent then checks a sample instead of hashing it all. */
  bitfield?: Uint8Array;
  /** The engine's banned peers: refused, and added to when a peer sends corrupt data. */
  bans: BanList;
  /** The engine's byte counters, which every torrent adds to. */
  totals: TransferTotals;
}

/** Adds `torrentId` for `record`; `started` resolves once the info-hash event has fired. */
export function addToClient(
  client: WebTorrent,
  record: TorrentRecord,
  torrentId: string | Uint8Array,
  options: AttachOptions,
): { torrent: Torrent; started: Promise<void> } {
  const torrent = client.add(torrentId, {
    path: record.folder,
    store: fileStore(record.folder),
    announce: options.announce,
    bitfield: options.bitfield,
    // An evicted torrent is not fetched in the background, only what readers ask for.
    deselect: record.evicted,
  });
  // A folder not there yet holds no data: nothing to look for.
  if (!options.bitfield && !existsSync(record.folder)) startWithNothingStored(torrent);
  verifyPieces(torrent, (index) =>
    record.waitedSpans().some(([first, last]) => index >= first && index <= last),
  );
  skipFullyAskedPieces(torrent);
  neverHotswap(torrent);
  skipTorrentDebugMessages(torrent);
  torrent.on('wire', (wire: Wire) => {
    copyOnlyCutMessages(wire);
    joinSmallMessages(wire);
    findRequestsInOrder(wire);
    skipDebugMessages(wire);
  });
  dialTcpFirst(torrent);
  startWiresQuickly(torrent, () => record.waitedSpans());
  unchokeEarlyInterest(torrent);
  askTransmissionForMetadataEarly(torrent);
  guardAgainstBadPeers(torrent, options.bans);
  options.totals.count(torrent);
  // A magnet's metadata is bounded like a .torrent's, before webtorrent parses it.
  guardMetadata(torrent, (metadata) => limitError(metadata, 'the metadata from its peers'));
  record.attach(torrent, options.magnet);
  record.closing = false;
  const started = new Promise<void>((resolve, reject) => {
    const settle = (err?: Error) => {
      torrent.removeListener('infoHash', onInfoHash);
      torrent.removeListener('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onInfoHash = () => {
      limitTrackers(torrent, options.announce);
      for (const peer of record.peers.hints) torrent.addPeer(peer);
      settle();
    };
    const onClose = () => settle(new Error(`the torrent ${record.infoHash} closed before it started`));
    torrent.once('infoHash', onInfoHash);
    torrent.once('close', onClose);
  });
  return { torrent, started };
}

/** Keeps the torrent's first MAX_TRACKERS trackers and every one of the engine's, in that order. */
function limitTrackers(torrent: Torrent, engineTrackers: string[]): void {
  const own = torrent.announce.filter((url) => !engineTrackers.includes(url));
  if (own.length <= MAX_TRACKERS) return;
  // webtorrent encodes the .torrent it hands us for saving (torrentFile) again with the metadata, from this.
  torrent.announce = [...own.slice(0, MAX_TRACKERS), ...engineTrackers];
}

/** Closes the record's torrent (deleting its data when asked); marks the close as intended. */
export function closeTorrent(record: TorrentRecord, destroyStore = false): Promise<void> {
  record.closing = true;
  const torrent = record.torrent;
  return new Promise((done) => {
    if (torrent.destroyed) return done();
    torrent.destroy({ destroyStore }, () => done());
  });
}

/**
 * The engine shuts down: the record fails what waits on it, and its trackers close without announcing
 * 'stopped' (so no tracker count holds up the exit); the client's destroy then closes the torrent.
 */
export function leaveAtShutdown(record: TorrentRecord): void {
  record.closing = true;
  record.fail('the torrent engine was closed', 'ENGINE_CLOSED');
  closeTrackersQuietly(record.torrent);
}
