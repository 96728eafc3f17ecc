/**
 * A BitTorrent swarm on 127.0.0.1 for tests: an HTTP tracker and seeders (second webtorrent clients) with DHT,
 * LSD, UPnP, NAT-PMP and uTP off. A seeder's magnet carries `x.pe=127.0.0.1:port` so no tracker is needed.
 */
import type { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from 'bittorrent-tracker';
import WebTorrent, { type Torrent } from 'webtorrent';
import { type EngineOptions, TorrentEngine } from '../../src/torrent/index.js';
import { webSeedConnection } from '../../src/torrent/webtorrent-internals.js';

/** A webtorrent client that finds no one by itself (no DHT, LSD, NAT, PEX or trackers) on a random port. */
export function isolatedClient(options: { utp?: boolean; tracker?: boolean } = {}): WebTorrent {
  return new WebTorrent({
    dht: false,
    lsd: false,
    natUpnp: false,
    natPmp: false,
    utPex: false,
    torrentPort: 0,
    ...(options.utp === undefined ? {} : { utp: options.utp }),
    tracker: options.tracker ? {} : false,
  });
}

export interface Tracker {
  announceUrl: string;
  close(): Promise<void>;
}

export async function startTracker(): Promise<Tracker> {
  const server = new Server({ udp: false, http: true, ws: false, stats: false });
  server.on('warning', () => {}); // announces of unknown torrents and the like
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.http?.address();
  if (!address || typeof address === 'string') throw new Error('tracker did not listen');
  return {
    announceUrl: `http://127.0.0.1:${address.port}/announce`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Seeder {
  infoHash: string;
  magnet: string;
  torrentFile: Buffer;
  port: number;
  client: WebTorrent;
  torrent: Torrent;
  close(): Promise<void>;
}

export interface SeederOptions {
  announce?: string[];
  name?: string;
  pieceLength?: number;
}

/** Seeds a file or folder (a string), or several files (an array, copied into a temp store). */
export async function startSeeder(paths: string[] | string, opts: SeederOptions = {}): Promise<Seeder> {
  const client = isolatedClient({ utp: false, tracker: !!opts.announce?.length });
  const storeDir = typeof paths === 'string' ? undefined : mkdtempSync(join(tmpdir(), 'streamtide-seed-'));
  const close = async () => {
    if (!client.destroyed) await new Promise<void>((resolve) => client.destroy(() => resolve()));
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('error', reject);
      client.once('listening', () => resolve());
    });
    const torrent = await new Promise<Torrent>((resolve, reject) => {
      client.once('error', reject);
      // `announce: []` keeps create-torrent from adding its public default trackers.
      client.seed(
        paths,
        { announce: opts.announce ?? [], name: opts.name, pieceLength: opts.pieceLength, path: storeDir },
        resolve,
      );
    });
    const port = client.torrentPort;
    return {
      infoHash: torrent.infoHash,
      magnet: `${torrent.magnetURI}&x.pe=127.0.0.1:${port}`,
      torrentFile: Buffer.from(torrent.torrentFile),
      port,
      client,
      torrent,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A TorrentEngine for tests: it reaches only what it is told (DHT, LSD, UPnP and NAT-PMP off), on a random port. */
export function startTestEngine(dir: string, extra: Partial<EngineOptions> = {}): Promise<TorrentEngine> {
  return TorrentEngine.create({
    dir,
    dht: false,
    lsd: false,
    natUpnp: false,
    natPmp: false,
    torrentPort: 0,
    ...extra,
  });
}

export interface Stall {
  /** Requests the seeder got and never answered, as `piece:offset`. */
  stalled: string[];
  /** Cancels the seeder got, as `piece:offset`. */
  cancelled: string[];
  /** Resolves once `check` holds, checked whenever a request stalls or a cancel comes. */
  until(check: (stall: Stall) => boolean): Promise<void>;
}

/**
 * Makes the seeder answer `answered` more requests, then none at all: a peer that stalled (one that never
 * answered would never be asked for more than one block: webtorrent tries a new peer with one request first).
 */
export function stallAfter(seeder: Seeder, answered: number): Stall {
  const waits = new Set<() => void>();
  const stall: Stall = {
    stalled: [],
    cancelled: [],
    until(check) {
      if (check(stall)) return Promise.resolve();
      return new Promise((resolve) => {
        const wait = () => {
          if (!check(stall)) return;
          waits.delete(wait);
          resolve();
        };
        waits.add(wait);
      });
    },
  };
  const changed = () => {
    for (const wait of [...waits]) wait();
  };
  const store = seeder.torrent.store as unknown as {
    get(index: number, opts: { offset: number; length: number }, cb: (...args: unknown[]) => void): void;
  };
  const get = store.get.bind(store);
  let left = answered;
  store.get = (index, opts, cb) => {
    if (left-- > 0) return get(index, opts, cb);
    stall.stalled.push(`${index}:${opts.offset}`);
    changed();
  };
  seeder.torrent.on('wire', (wire: EventEmitter) => {
    wire.on('cancel', (index: number, offset: number) => {
      stall.cancelled.push(`${index}:${offset}`);
      changed();
    });
  });
  return stall;
}

/** Makes the seeder send the blocks of the pieces `lies` names with their first byte flipped: a peer that lies. */
export function lieAbout(seeder: { torrent: Torrent }, lies: (piece: number) => boolean): void {
  const store = seeder.torrent.store as unknown as {
    get(index: number, opts: unknown, cb: (err: Error | null, data?: Uint8Array) => void): void;
  };
  const get = store.get.bind(store);
  store.get = (index, opts, cb) =>
    get(index, opts, (err, data) => {
      if (err || !data || !lies(index)) return cb(err, data);
      const wrong = Buffer.from(data);
      wrong[0]! ^= 0xff;
      cb(null, wrong);
    });
}

/**
 * A web seed of `torrent` answering from `data` in memory (its URL a closed loopback port: no request is
 * made); `asked` sees each range it is asked for.
 */
export function addMemoryWebSeed(
  torrent: Torrent,
  data: Buffer,
  asked: (piece: number, offset: number, length: number) => void,
): void {
  torrent.addWebSeed(
    webSeedConnection('http://127.0.0.1:9/data.bin', torrent, async (piece, offset, length) => {
      asked(piece, offset, length);
      const start = piece * torrent.pieceLength + offset;
      return data.subarray(start, start + length);
    }),
  );
}
