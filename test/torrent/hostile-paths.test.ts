/**
 * A torrent whose names try to leave the download folder (`../..`, absolute parts, NUL bytes, empty and dot
 * parts) is downloaded entirely inside `dir/<infoHash>/`, under sanitised relative paths. A magnet whose file
 * list names a file that is also a folder downloads both; a file the store cannot write stops the torrent with
 * an error that names no server path.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, it } from 'node:test';
import WebTorrent from 'webtorrent';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { bencode } from '../helpers/bencode.js';
import { startTestEngine } from '../helpers/swarm.js';

const PIECE = 16 * 1024;
const files = [
  { path: ['..', '..', 'evil.txt'], data: 'escape by dot-dot\n' },
  { path: ['/abs', 'path.txt'], data: 'escape by an absolute part\n' },
  { path: ['sub', 'nul\u0000name.txt'], data: 'a NUL in the name\n' },
  { path: ['.', '', 'deep', '..', '..', '..', 'x.txt'], data: 'dots and empties\n' },
];

type CraftedFile = { path: string[]; data: string };

function craftTorrent(
  list: CraftedFile[] = files,
  name = '../../escape',
): { torrent: Buffer; content: Buffer } {
  const content = Buffer.concat(list.map((file) => Buffer.from(file.data)));
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < content.length; offset += PIECE) {
    pieces.push(
      createHash('sha1')
        .update(content.subarray(offset, offset + PIECE))
        .digest(),
    );
  }
  const info = {
    name,
    'piece length': PIECE,
    pieces: Buffer.concat(pieces),
    files: list.map((file) => ({ length: Buffer.byteLength(file.data), path: file.path })),
  };
  return { torrent: bencode({ info }), content };
}

type StoreRange = { offset?: number; length?: number };
type StoreCallback = (err: Error | null, buf?: Buffer) => void;

/** An in-memory chunk store already holding `content`, so a seeder needs no files on disk at all. */
function preloaded(content: Buffer) {
  return class MemoryStore {
    constructor(readonly chunkLength: number) {}
    get(index: number, options: StoreRange | null | StoreCallback, callback?: StoreCallback) {
      // Called both as (index, cb) and (index, opts, cb).
      const opts = typeof options === 'function' ? null : options;
      const cb = (typeof options === 'function' ? options : callback)!;
      const start = index * this.chunkLength + (opts?.offset ?? 0);
      const chunk = content.subarray(index * this.chunkLength, (index + 1) * this.chunkLength);
      const length = opts?.length ?? chunk.length - (opts?.offset ?? 0);
      queueMicrotask(() => cb(null, content.subarray(start, start + length)));
    }
    put(_index: number, _buf: Buffer, cb?: (e: Error | null) => void) {
      queueMicrotask(() => cb?.(null));
    }
    close(cb?: (e: Error | null) => void) {
      queueMicrotask(() => cb?.(null));
    }
    destroy(cb?: (e: Error | null) => void) {
      queueMicrotask(() => cb?.(null));
    }
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

let work: string;
let seeder: WebTorrent;
let engine: TorrentEngine;
const engines: TorrentEngine[] = [];

async function newEngine(dir: string): Promise<TorrentEngine> {
  engine = await startTestEngine(dir, { utp: false, tracker: false });
  engines.push(engine);
  return engine;
}
const loopback = {
  dht: false,
  lsd: false,
  natUpnp: false,
  natPmp: false,
  utp: false,
  torrentPort: 0,
} as const;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-hostile-'));
  seeder = new WebTorrent({ ...loopback, tracker: false });
  await new Promise<void>((resolve) => seeder.once('listening', () => resolve()));
  await newEngine(join(work, 'a', 'b', 'c', 'dl'));
});

after(async () => {
  for (const opened of engines) await opened.destroy();
  await new Promise<void>((resolve) => seeder.destroy(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

it('keeps every file of a hostile torrent inside its folder', { timeout: 60_000 }, async () => {
  const { torrent, content } = craftTorrent();
  const seeded = seeder.add(torrent, { store: preloaded(content) });
  await new Promise<void>((resolve) => seeded.once('done', () => resolve()));

  const { entry } = await engine.add(torrent);
  engine.addPeer(entry.infoHash, `127.0.0.1:${seeder.torrentPort}`);
  const ready = await engine.waitForMetadata(entry.infoHash);
  assert.deepEqual(
    ready.files.map((file) => file.path),
    ['evil.txt', 'escape/abs/path.txt', 'escape/sub/nul_name.txt', 'x.txt'],
  );
  for (const file of ready.files) {
    assert.doesNotMatch(
      file.path,
      /(^|\/)\.\.?(\/|$)|^\/|\\|\0/,
      `catalog path ${JSON.stringify(file.path)}`,
    );
  }
  for (const [index, file] of files.entries()) {
    const source = engine.open(entry.infoHash, index)!;
    assert.equal((await source.read(0, source.size)).toString(), file.data);
  }
  await engine.destroy();

  const root = join(work, 'a', 'b', 'c', 'dl');
  const written = walk(work).map((path) => relative(root, path));
  const data = written.filter((path) => path.startsWith(`${entry.infoHash}/`)).sort();
  const others = written.filter((path) => !path.startsWith(`${entry.infoHash}/`));
  assert.deepEqual(
    others.sort(),
    ['streamtide-state.json', 'streamtide-state.json.bak'],
    'nothing outside the torrent folder but the state file and its backup',
  );
  assert.deepEqual(
    data.map((path) => path.slice(41)),
    ready.files.map((file) => file.path).sort(),
  );
  for (const [index, file] of ready.files.entries()) {
    assert.equal(readFileSync(join(root, entry.infoHash, file.path), 'utf8'), files[index]!.data);
  }
});

/** Seeds `list` from memory and adds it to the engine by magnet (its file list arrives from the peer). */
async function seedAndAddMagnet(list: CraftedFile[], name: string): Promise<string> {
  const { torrent, content } = craftTorrent(list, name);
  const seeded = seeder.add(torrent, { store: preloaded(content) });
  await new Promise<void>((resolve) => seeded.once('done', () => resolve()));
  const { entry } = await engine.add(seeded.infoHash);
  engine.addPeer(entry.infoHash, `127.0.0.1:${seeder.torrentPort}`);
  return entry.infoHash;
}

it('downloads a magnet whose files clash (x and x/y): the file x is renamed', {
  timeout: 60_000,
}, async () => {
  await newEngine(join(work, 'clash'));
  const clash = [
    { path: ['x'], data: 'the file x\n' },
    { path: ['x', 'y'], data: 'the file x/y\n' },
  ];
  const infoHash = await seedAndAddMagnet(clash, 'clash');
  const ready = await engine.waitForMetadata(infoHash);
  assert.deepEqual(
    ready.files.map((file) => file.path),
    ['clash/x~0', 'clash/x/y'],
  );
  for (const [index, file] of clash.entries()) {
    const source = engine.open(infoHash, index)!;
    assert.equal((await source.read(0, source.size)).toString(), file.data);
  }
  assert.equal(engine.get(infoHash)?.error, undefined);
  await engine.destroy();
});

it('names no server path when the store cannot write a file', { timeout: 60_000 }, async () => {
  const dir = join(work, 'unwritable');
  await newEngine(dir);
  const list = [{ path: ['film.mkv'], data: 'not really a film\n' }];
  const { torrent } = craftTorrent(list, 'blocked');
  const { entry } = await engine.add(torrent);
  // A folder where the file goes: opening it fails with EISDIR and the path.
  mkdirSync(join(dir, entry.infoHash, 'blocked', 'film.mkv'), { recursive: true });
  await engine.remove(entry.infoHash);
  await seedAndAddMagnet(list, 'blocked');
  // The piece may be read back from memory while its write is failing; the reads after that fail.
  await assert.rejects(async () => {
    await engine.waitForMetadata(entry.infoHash);
    for (;;) {
      await engine.open(entry.infoHash, 0)!.read(0, 5);
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  const error = engine.get(entry.infoHash)?.error ?? '';
  assert.match(error, /EISDIR/);
  assert.ok(!error.includes(dir), `no server path in "${error}"`);
  assert.match(error, /blocked\/film\.mkv/, 'the file is named relative to the torrent');
  assert.match(engine.stallReason(entry.infoHash) ?? '', /EISDIR/);
  assert.ok(!(engine.stallReason(entry.infoHash) ?? '').includes(dir));
  await engine.destroy();
});
