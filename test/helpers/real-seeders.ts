/**
 * Seeders that are other BitTorrent clients, not webtorrent: aria2c and transmission-daemon, each on its own
 * 127.0.0.x address, DHT/LPD/PEX/port mapping off, optionally capped per seeder. They dial, pace metadata and
 * choke differently from webtorrent, which is why tests and the bench swarm against them. A start resolves
 * once the seeder seeds: its data verified (transmission) and its peer port listening; no tracker is used
 * (peers are named by `x.pe`), so there is no announce to wait for. Each is stopped by its PID. Callers
 * check `hasAria2c()` / `hasTransmission()` and skip with a message when absent.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { bencode } from './bencode.js';

export type SeederKind = 'aria2c' | 'transmission';

export interface RealSeeder {
  kind: SeederKind;
  host: string;
  port: number;
  pid: number;
  /** `host:port`, for a magnet's `x.pe`. */
  peer: string;
  /**
   * When (`performance.now()`) it was first seen seeding. Both clients run clocks from about then that a
   * peer meets: aria2c accepts connections in a once-a-second sweep, transmission rechokes every 10 s.
   */
  seedingSince: number;
  stop(): Promise<void>;
}

export interface RealSeederOptions {
  /** The .torrent (from `makeTorrent`) and the folder holding its file under its own name. */
  torrent: Buffer;
  dataDir: string;
  /** 127.0.0.x to listen on (default 127.0.0.1). */
  host?: string;
  /** Upload cap in bytes per second. */
  uploadLimit?: number;
}

export function hasAria2c(): boolean {
  return spawnSync('aria2c', ['--version']).status === 0;
}

export function hasTransmission(): boolean {
  return ['transmission-daemon', 'transmission-remote'].every(
    (cmd) => spawnSync(cmd, ['--version']).status === 0,
  );
}

export interface MadeTorrent {
  torrent: Buffer;
  infoHash: string;
  /** A magnet that names no tracker; add `&x.pe=` peers. */
  magnet: string;
}

/** A single-file, trackerless .torrent of `path` (hashed here, so no client is needed to make it). */
export function makeTorrent(path: string, pieceLength = 256 * 1024): MadeTorrent {
  const size = statSync(path).size;
  const hashes: Buffer[] = [];
  const fd = openSync(path, 'r');
  try {
    const piece = Buffer.alloc(pieceLength);
    for (let offset = 0; offset < size; offset += pieceLength) {
      const read = readSync(fd, piece, 0, Math.min(pieceLength, size - offset), offset);
      hashes.push(createHash('sha1').update(piece.subarray(0, read)).digest());
    }
  } finally {
    closeSync(fd);
  }
  const name = basename(path);
  const info = { length: size, name, 'piece length': pieceLength, pieces: Buffer.concat(hashes) };
  const infoHash = createHash('sha1').update(bencode(info)).digest('hex');
  return {
    torrent: bencode({ info, 'created by': 'streamtide tests' }),
    infoHash,
    magnet: `magnet:?xt=urn:btih:${infoHash}&dn=${encodeURIComponent(name)}`,
  };
}

/** The folder a file lives in, which is what both clients take as their data dir. */
export const dataDirOf = (path: string) => dirname(path);

export async function startAria2cSeeder(options: RealSeederOptions): Promise<RealSeeder> {
  const host = options.host ?? '127.0.0.1';
  const port = await freePort(host);
  const work = mkdtempSync(join(tmpdir(), 'streamtide-aria2-seed-'));
  const torrentFile = join(work, 'seed.torrent');
  writeFileSync(torrentFile, options.torrent);
  const limit = options.uploadLimit ? [`--max-overall-upload-limit=${options.uploadLimit}`] : [];
  const child = spawn(
    'aria2c',
    [
      `--dir=${options.dataDir}`,
      '--seed-ratio=0.0', // seed until stopped
      '--bt-seed-unverified=true', // the data is ours: skip the full re-hash before listening
      `--listen-port=${port}`,
      `--interface=${host}`,
      '--enable-dht=false',
      '--enable-dht6=false',
      '--bt-enable-lpd=false',
      '--enable-peer-exchange=false',
      '--disable-ipv6=true',
      '--summary-interval=0',
      '--console-log-level=error',
      '--file-allocation=none',
      ...limit,
      torrentFile,
    ],
    { stdio: 'ignore' },
  );
  return running('aria2c', child, host, port, () => rmSync(work, { recursive: true, force: true }));
}

export async function startTransmissionSeeder(options: RealSeederOptions): Promise<RealSeeder> {
  const host = options.host ?? '127.0.0.1';
  const [port, rpcPort] = [await freePort(host), await freePort('127.0.0.1')];
  const config = mkdtempSync(join(tmpdir(), 'streamtide-transmission-seed-'));
  const limitKiB = options.uploadLimit ? Math.max(1, Math.round(options.uploadLimit / 1024)) : 0;
  const settings = {
    'bind-address-ipv4': host,
    'bind-address-ipv6': '::1',
    'peer-port': port,
    'peer-port-random-on-start': false,
    'port-forwarding-enabled': false,
    'dht-enabled': false,
    'lpd-enabled': false,
    'pex-enabled': false,
    'utp-enabled': false,
    'rpc-bind-address': '127.0.0.1',
    'rpc-port': rpcPort,
    'rpc-authentication-required': false,
    'rpc-whitelist-enabled': false,
    'rpc-host-whitelist-enabled': false,
    'download-dir': options.dataDir,
    'ratio-limit-enabled': false,
    'idle-seeding-limit-enabled': false,
    'speed-limit-up': limitKiB,
    'speed-limit-up-enabled': limitKiB > 0,
    'message-level': 0,
  };
  writeFileSync(join(config, 'settings.json'), JSON.stringify(settings));
  const child = spawn('transmission-daemon', ['--foreground', '--config-dir', config], { stdio: 'ignore' });
  const cleanup = () => rmSync(config, { recursive: true, force: true });
  const seeder = await running('transmission', child, host, port, cleanup, rpcPort);
  try {
    const torrentFile = join(config, 'seed.torrent');
    writeFileSync(torrentFile, options.torrent);
    const rpc = `127.0.0.1:${rpcPort}`;
    remote(rpc, ['--add', torrentFile, '--download-dir', options.dataDir]);
    // transmission hashes the data before it seeds; without this a dialling peer finds no pieces.
    await until(() => {
      const info = remote(rpc, ['-t', 'all', '--info']);
      // A complete torrent no peer takes from says Idle; Verifying or Stopped is not seeding yet.
      return /Percent Done:\s*100%/.test(info) && /State:\s*(Idle|Seeding)/.test(info);
    }, 'verify its data and seed');
    await until(() => accepts(host, port), `listen on ${host}:${port}`);
    return { ...seeder, seedingSince: performance.now() };
  } catch (err) {
    await seeder.stop();
    throw err;
  }
}

function remote(rpc: string, args: string[]): string {
  const result = spawnSync('transmission-remote', [rpc, ...args], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0)
    throw new Error(`transmission-remote ${args[0]}: ${result.stderr || result.stdout}`);
  return result.stdout;
}

/**
 * Waits until the client listens on `port` (or the RPC port), then hands out a stop-by-PID handle. aria2c
 * seeds once it listens: `--bt-seed-unverified` skips the hash check, and it opens its peer port only when
 * its torrent starts.
 */
async function running(
  kind: SeederKind,
  child: ChildProcess,
  host: string,
  port: number,
  cleanup: () => void,
  readyPort = port,
): Promise<RealSeeder> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const hard = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(hard);
    }
    cleanup();
  };
  const readyHost = readyPort === port ? host : '127.0.0.1';
  try {
    await until(() => {
      if (child.exitCode !== null) throw new Error(`${kind} exited with ${child.exitCode}`);
      return accepts(readyHost, readyPort);
    }, `listen on ${readyHost}:${readyPort}`);
  } catch (err) {
    await stop();
    throw err;
  }
  const seedingSince = performance.now();
  return { kind, host, port, pid: child.pid ?? -1, peer: `${host}:${port}`, seedingSince, stop };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`seeder did not ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, host);
  });
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
