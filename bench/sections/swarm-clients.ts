/**
 * The four players of the constrained-swarm section, each on a fresh swarm with a fresh download folder:
 * streamtide direct (the MP4 by Range) and remux (the MKV as fMP4), each a new server process whose clock
 * starts at the magnet's add (`POST /api/torrents`); webtorrent-cli and peerflix, whose clock starts when
 * their HTTP server first answers. A client is prepared while the swarm's seeders come up (streamtide's
 * server is started then) and added the moment the swarm is handed out, so every client meets the seeders'
 * clocks at the sample's phase. A session plays from the start, and can seek: the playing response is cut
 * and the new one asked for, as a player does.
 */

import type { StartPhases } from '../../src/catalog/start-ledger.js';
import { Fmp4Clock } from '../lib/fmp4-clock.js';
import { api, type TorrentJson } from '../lib/http.js';
import { type MediaRead, readMedia } from '../lib/media-read.js';
import type { Timeline } from '../lib/mp4-timeline.js';
import { lastPhases } from '../lib/phases.js';
import type { Arrival } from '../lib/player.js';
import type { RealSwarm } from '../lib/real-swarm.js';
import { type ServerChild, startServer } from '../lib/server.js';
import { now } from '../lib/stats.js';
import { startPeerflix } from '../refs/peerflix.js';
import { startWebtorrentCli } from '../refs/webtorrent-cli.js';

export const CLIENTS = ['direct', 'remux', 'webtorrent-cli', 'peerflix'] as const;
export type SwarmClient = (typeof CLIENTS)[number];
export const isStreamtide = (client: SwarmClient) => client === 'direct' || client === 'remux';

export interface Session {
  /** Reads from the start until `enough`; times count from the session's reference. */
  play(enough: (arrivals: Arrival[]) => boolean, timeoutMs: number): Promise<MediaRead>;
  /** Seeks to `keyframe` (seconds); times count from the seek's request. */
  seek(keyframe: number, enough: (arrivals: Arrival[]) => boolean, timeoutMs: number): Promise<MediaRead>;
  /** streamtide's view: the start's phases and the torrent's progress. */
  state(): Promise<{ phases?: StartPhases; progress?: number }>;
}

/** A client ready to be given a swarm; `close` stops whatever it started, its session included. */
export interface PreparedClient {
  add(swarm: RealSwarm, timeline: Timeline): Promise<Session>;
  close(): Promise<void>;
}

/** What a player plays the MP4 with: media time from the bytes it got, from where it started reading. */
function rawFile(url: string, timeline: Timeline, reference: () => number): Omit<Session, 'state'> {
  return {
    play: (enough, timeoutMs) => {
      const held = timeline.reader(0, 0);
      return readMedia(url, { Range: 'bytes=0-' }, reference(), (_, bytes) => held(bytes), enough, timeoutMs);
    },
    seek: (keyframe, enough, timeoutMs) => {
      const from = timeline.byteOf(keyframe);
      const held = timeline.reader(from, keyframe);
      const headers = { Range: `bytes=${from}-` };
      return readMedia(url, headers, now(), (_, bytes) => held(bytes), enough, timeoutMs);
    },
  };
}

/**
 * Readies `client`: a streamtide server process now; the references take the magnet at their start, so
 * they start at the add. The swarm seeds the MKV for remux, the MP4 for the others.
 */
export async function prepareClient(client: SwarmClient): Promise<PreparedClient> {
  if (isStreamtide(client)) {
    const server = await startServer();
    return { add: (swarm, timeline) => addToServer(client, server, swarm, timeline), close: server.close };
  }
  let stop = async () => {};
  return {
    add: async (swarm, timeline) => {
      const started = await startReference(client, swarm, timeline);
      stop = started.close;
      return started;
    },
    close: () => stop(),
  };
}

async function startReference(
  client: SwarmClient,
  swarm: RealSwarm,
  timeline: Timeline,
): Promise<Session & { close(): Promise<void> }> {
  if (client === 'webtorrent-cli') {
    // TCP only: aria2c has no uTP, and the helper's transmission has it off (see webtorrent-cli.ts).
    const cli = await startWebtorrentCli(swarm.magnet, { utp: false });
    const url = cli.fileUrl(swarm.infoHash, swarm.name);
    return { ...rawFile(url, timeline, () => cli.answeredAt), state: async () => ({}), close: cli.close };
  }
  if (client === 'peerflix') {
    const peerflix = await startPeerflix(swarm.magnet, swarm.peers);
    const reference = () => peerflix.answeredAt;
    return {
      ...rawFile(peerflix.fileUrl, timeline, reference),
      state: async () => ({}),
      close: peerflix.close,
    };
  }
  throw new Error(`${client} is not a reference client`);
}

/** streamtide's session: the magnet added to its server (which the prepared client closes). */
async function addToServer(
  client: SwarmClient,
  server: ServerChild,
  swarm: RealSwarm,
  timeline: Timeline,
): Promise<Session> {
  const stream = `${server.url}/stream/${swarm.infoHash}/0`;
  const added = now();
  await api(server.url, 'POST', '/api/torrents', { source: swarm.magnet });
  const state = async () => {
    const torrent = await api<TorrentJson>(server.url, 'GET', `/api/torrents/${swarm.infoHash}`);
    return { phases: await lastPhases(server.url, swarm.infoHash), progress: torrent.progress };
  };
  if (client === 'direct') {
    return { ...rawFile(`${stream}?mode=direct`, timeline, () => added), state };
  }
  const fmp4 = (clock: Fmp4Clock) => (chunk: Buffer) => clock.push(chunk);
  return {
    play: (enough, timeoutMs) =>
      readMedia(`${stream}?mode=remux`, {}, added, fmp4(new Fmp4Clock()), enough, timeoutMs),
    // Just past the keyframe: the server starts at the keyframe at or before t.
    seek: (keyframe, enough, timeoutMs) =>
      readMedia(
        `${stream}?mode=remux&t=${(keyframe + 0.05).toFixed(2)}`,
        {},
        now(),
        fmp4(new Fmp4Clock()),
        enough,
        timeoutMs,
      ),
    state,
  };
}
