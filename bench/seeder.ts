/**
 * The bench's loopback seeder, run as its own process so seeding never shares an event loop with the
 * server being measured. Usage: `node --import tsx bench/seeder.ts '<json config>'`.
 *
 * Each file is hashed once; extra copies under other names (a different info-hash, the same bytes,
 * hard-linked, added with skipVerify) give every cold sample a torrent no client has seen. With `tracker`
 * it also runs an HTTP tracker on 127.0.0.1 for clients that cannot take a peer hint (aria2c).
 * Prints one JSON line per torrent, then `{"ready":true}`; exits when stdin closes or on SIGTERM.
 * DHT, LSD, UPnP, NAT-PMP and PEX are off: nothing leaves 127.0.0.1.
 */
import { linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Server } from 'bittorrent-tracker';
import parseTorrent, { toTorrentFile } from 'parse-torrent';
import WebTorrent, { type Torrent } from 'webtorrent';

export interface SeederConfig {
  files: Array<{ path: string; copies: number; pieceLength?: number }>;
  tracker?: boolean;
  /** Caps the upload of all torrents together (bytes/s): a constrained swarm. */
  uploadLimit?: number;
  /** Holds every block this long before sending it: a far peer, whose answers take a round trip. */
  latencyMs?: number;
}

export interface SeededTorrent {
  file: string;
  name: string;
  infoHash: string;
  /** Magnet with the seeder as peer hint (x.pe) and no tracker. */
  magnet: string;
  /** The .torrent, announcing to the loopback tracker when there is one. */
  torrent: string;
  length: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as SeederConfig;
const store = mkdtempSync(join(tmpdir(), 'streamtide-bench-seed-'));
const client = new WebTorrent({
  dht: false,
  lsd: false,
  natUpnp: false,
  natPmp: false,
  // Both transports, as common clients have: webtorrent dials uTP first and would wait ~40 s on a
  // TCP-only peer before falling back, which would measure that fallback instead of streaming.
  utp: true,
  utPex: false,
  torrentPort: 0,
  tracker: config.tracker ? {} : false,
});
if (config.uploadLimit) client.throttleUpload(config.uploadLimit);
if (config.latencyMs) delayBlocks(config.latencyMs);
let tracker: Server | null = null;

async function main(): Promise<void> {
  await new Promise<void>((resolve) => client.once('listening', () => resolve()));
  let announce: string[] = [];
  if (config.tracker) {
    const server = new Server({ udp: false, http: true, ws: false, stats: false });
    server.on('warning', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.http?.address();
    if (!address || typeof address === 'string') throw new Error('tracker did not listen');
    announce = [`http://127.0.0.1:${address.port}/announce`];
    tracker = server;
  }
  const port = client.torrentPort;
  for (const file of config.files) {
    const dir = join(store, String(config.files.indexOf(file)));
    mkdirSync(dir);
    const name = basename(file.path);
    linkSync(file.path, join(dir, name));
    const first = await new Promise<Torrent>((resolve) =>
      client.seed(join(dir, name), { announce, pieceLength: file.pieceLength }, resolve),
    );
    emit(file.path, first, port);
    const parsed = await parseTorrent(first.torrentFile);
    for (let copy = 1; copy < file.copies; copy++) {
      const copyName = name.replace(/(\.[^.]+)$/, `-${copy}$1`);
      linkSync(file.path, join(dir, copyName));
      const info = { ...(parsed.info as Record<string, unknown>), name: Buffer.from(copyName) };
      const buf = toTorrentFile({ ...parsed, info, name: copyName, announce, urlList: [] });
      const torrent = await new Promise<Torrent>((resolve) =>
        client.add(buf, { path: dir, skipVerify: true, announce }, resolve),
      );
      await new Promise<void>((resolve) =>
        torrent.done ? resolve() : torrent.once('done', () => resolve()),
      );
      emit(file.path, torrent, port);
    }
  }
  process.stdout.write(`${JSON.stringify({ ready: true, port, announce })}\n`);
}

/** Every block answer waits `ms`, each on its own timer: latency, not a lower rate. */
function delayBlocks(ms: number): void {
  client.on('torrent', (torrent: Torrent) => {
    torrent.on('wire', (wire: { piece: (index: number, offset: number, buffer: Uint8Array) => void }) => {
      const send = wire.piece.bind(wire);
      wire.piece = (index, offset, buffer) => void setTimeout(() => send(index, offset, buffer), ms);
    });
  });
}

function emit(file: string, torrent: Torrent, port: number): void {
  const seeded: SeededTorrent = {
    file,
    name: torrent.name,
    infoHash: torrent.infoHash,
    magnet: `magnet:?xt=urn:btih:${torrent.infoHash}&dn=${encodeURIComponent(torrent.name)}&x.pe=127.0.0.1:${port}`,
    torrent: Buffer.from(torrent.torrentFile).toString('base64'),
    length: torrent.length,
  };
  process.stdout.write(`${JSON.stringify(seeded)}\n`);
}

let closing = false;
function shutdown(): void {
  if (closing) return;
  closing = true;
  tracker?.close();
  client.destroy(() => {
    rmSync(store, { recursive: true, force: true });
    process.exit(0);
  });
}
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
main().catch((err) => {
  process.stderr.write(`seeder: ${(err as Error).stack}\n`);
  process.exit(1);
});
