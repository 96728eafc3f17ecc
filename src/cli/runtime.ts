/**
 * Everything `serve` and `streamtide SOURCE` share: find FFmpeg, open the torrent engine on the download
 * folder, build the HTTP server and listen. `close()` cuts open streams (so their FFmpeg processes die),
 * then saves and closes the torrents.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Catalog } from '../catalog/catalog.js';
import { LOCAL_POSITIONS_FILE, LocalPositionsFile } from '../catalog/local-positions.js';
import type { Announcer } from '../dlna/ssdp.js';
import { buildServer } from '../server/app.js';
import type { HlsService } from '../server/hls-service.js';
import { isLoopback } from '../server/security.js';
import { type FfmpegTools, locateFfmpeg } from '../stream/ffmpeg-locate.js';
import { stopAllFfmpeg } from '../stream/ffmpeg-runner.js';
import { TorrentEngine } from '../torrent/index.js';
import { parseInput } from '../torrent/parse-input.js';
import { dlnaDevice } from './dlna-device.js';
import { logTorrentEvents } from './torrent-log.js';
import { servingStarted, startupDone } from './v8-settings.js';

export interface RuntimeOptions {
  host: string;
  port: number;
  /** When the port is taken, listen on a free one instead of failing (only when the user gave none). */
  portFallback: boolean;
  dir: string;
  token?: string;
  /** Host names accepted besides loopback ones (a reverse proxy's name, a LAN name). */
  allowedHosts?: string[];
  /** Off loopback: let torrent-supplied trackers, web seeds and peers be on the LAN (--allow-lan). */
  allowLan?: boolean;
  maxCacheBytes?: number;
  /** Engine-wide caps in bytes per second (unset: unlimited). */
  downloadLimit?: number;
  uploadLimit?: number;
  dht: boolean;
  lsd: boolean;
  nat: boolean;
  torrentPort?: number;
  logLevel: string;
  /** Where the server and the torrent engine log (default: JSON on stdout at `logLevel`). */
  logger?: FastifyBaseLogger;
  /** Resume the torrents saved in `dir` (serve); a one-shot run leaves them saved but idle. Default true. */
  restoreSaved?: boolean;
  /** Behind the cluster's front: every node's URL and the front's (docs/cluster.md). */
  cluster?: { nodes: string[]; front: string };
  /** Serve and announce a DLNA MediaServer (--dlna): the LAN may browse and play without the token. */
  dlna?: boolean;
}

export interface Runtime {
  app: FastifyInstance;
  catalog: Catalog;
  engine: TorrentEngine;
  tools: FfmpegTools;
  url: string;
  close(): Promise<void>;
}

export class UsageError extends Error {}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  if (!isLoopback(options.host) && !options.token) {
    throw new UsageError(
      `refusing to listen on ${options.host} without a token: pass --token T (or STREAMTIDE_TOKEN) so only you can use it`,
    );
  }
  const tools = await locateFfmpeg();
  await mkdir(options.dir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    // A --dir that is a file, or that this user may not create, is a bad argument (exit 2).
    const bad = ['EEXIST', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS'].includes(err.code ?? '');
    throw bad ? new UsageError(`--dir ${options.dir}: not a folder it can write to (${err.code})`) : err;
  });
  const log = options.logger;
  let hls: HlsService | undefined;
  const engine = await TorrentEngine.create({
    dir: options.dir,
    dht: options.dht,
    lsd: options.lsd,
    natUpnp: options.nat,
    natPmp: options.nat,
    torrentPort: options.torrentPort,
    maxCacheBytes: options.maxCacheBytes,
    downloadLimit: options.downloadLimit,
    uploadLimit: options.uploadLimit,
    // HLS segments count under the cap with their torrent's data (the server exists once the engine does).
    extraBytes: (infoHash) => hls?.bytesOf(infoHash) ?? 0,
    onWarning: log && ((message) => log.warn(message)),
    // On loopback the user's machine is the only one exposed; off it, the LAN is someone else's.
    allowLan: isLoopback(options.host) || options.allowLan === true,
    restore: options.restoreSaved ?? true,
  }).catch((err: NodeJS.ErrnoException) => {
    // A busy --torrent-port is a bad argument (exit 2), as a busy --port is.
    if (err.code !== 'EADDRINUSE' || options.torrentPort === undefined) throw err;
    throw new UsageError(
      `--torrent-port ${options.torrentPort} is in use; stop what uses it or pick another`,
    );
  });
  const localPositions = await LocalPositionsFile.open(
    join(options.dir, LOCAL_POSITIONS_FILE),
    log ? (message) => log.warn(message) : undefined,
  );
  const catalog = new Catalog(engine, { localPositions });
  const app = await buildServer({
    hlsCacheDir: join(options.dir, '.hls'),
    catalog,
    tools,
    host: options.host,
    token: options.token,
    // Shared links outlive a restart (until the token changes or they are revoked).
    capabilitiesFile: join(options.dir, 'streamtide-capabilities.json'),
    // Set by `npm run cluster` and deploy/: sessions and shared links made by one node work on every node.
    capabilitySecret: process.env.STREAMTIDE_CAPABILITY_SECRET || undefined,
    allowedHosts: options.allowedHosts,
    dlna: options.dlna ? dlnaDevice(options.dir) : undefined,
    logLevel: options.logLevel,
    logger: log,
    cluster: options.cluster && {
      ...options.cluster,
      identify: (input, signal) => parseInput(input, { signal }),
    },
  });
  hls = app.hls;
  // Evicted data takes its segments along; segments of torrents removed while stopped go at start.
  engine.events.on('evicted', (infoHash) => void app.hls.drop(infoHash));
  await app.hls.prune(new Set(catalog.list().map((e) => e.infoHash)));
  let address: string;
  try {
    address = await app.listen({ host: options.host, port: options.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const inUse = code === 'EADDRINUSE';
    if (!inUse || !options.portFallback) {
      await app.close();
      await engine.destroy();
      // A --host this machine cannot listen on is a bad argument (exit 2), as a busy --port is.
      const badHost = code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
      if (badHost) throw new UsageError(`--host ${options.host}: not an address of this machine (${code})`);
      throw inUse
        ? new UsageError(`port ${options.port} is in use; stop what uses it or pick another with --port`)
        : err;
    }
    address = await app.listen({ host: options.host, port: 0 });
    process.stderr.write(`streamtide: port ${options.port} is in use; using ${new URL(address).port}\n`);
  }
  startupDone();
  app.server.once('request', servingStarted);
  const port = new URL(address).port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${port}`;
  const stopTorrentLog = logTorrentEvents(engine, app.log);
  const announcer = options.dlna
    ? await announceDlna(app, options.host, Number(port), options.dir)
    : undefined;
  let closing: Promise<void> | undefined;
  return {
    app,
    catalog,
    engine,
    tools,
    url,
    close() {
      closing ??= (async () => {
        stopTorrentLog();
        // Byebye first: renderers drop us before the HTTP side goes.
        await announcer?.stop();
        await app.close();
        // Closing cut the connections and their streams are stopping FFmpeg: wait until every one is reaped.
        await stopAllFfmpeg();
        await catalog.flush();
        await engine.destroy();
      })();
      return closing;
    },
  };
}

async function announceDlna(
  app: FastifyInstance,
  host: string,
  port: number,
  dir: string,
): Promise<Announcer | undefined> {
  const device = dlnaDevice(dir);
  // SSDP (node-ssdp) only for --dlna.
  const { announce } = await import('../dlna/ssdp.js');
  const announcer = await announce({ host, port, udn: device.udn, signature: device.signature });
  if (announcer) {
    app.log.info(
      { dlna: announcer.addresses },
      `DLNA: announced on ${announcer.addresses.join(', ')} — anyone on that network may browse and play`,
    );
  } else {
    app.log.warn(
      `DLNA: ${host} is on no IPv4 network interface (loopback?): the media server is not announced, its description stays at /dlna/description.xml`,
    );
  }
  return announcer;
}
