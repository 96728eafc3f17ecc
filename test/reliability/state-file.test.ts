/**
 * The state file (the library) survives what breaks files: a truncated or garbled file brings the library
 * back from its backup generation and says so; a file that cannot be read is kept aside, never written over;
 * a save that meets a full disk (an 8 MB tmpfs, mounted by the test, which needs root; skipped otherwise)
 * leaves no temporary file and the last good state; a crashed process's temporary file is removed at start.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { type SavedTorrent, STATE_FILE, StateStore } from '../../src/torrent/state-store.js';
import { loopbackEngine } from './support.js';

let work: string;
const engines: TorrentEngine[] = [];

before(() => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-state-'));
});

after(async () => {
  for (const engine of engines) await engine.destroy();
  rmSync(work, { recursive: true, force: true });
});

async function start(dir: string, warnings: string[] = []): Promise<TorrentEngine> {
  const engine = await loopbackEngine(dir, { utp: false, onWarning: (message) => warnings.push(message) });
  engines.push(engine);
  return engine;
}

/** A library of `count` magnets nobody seeds (saved as magnets), written by a run that ended. */
async function library(dir: string, count: number): Promise<string[]> {
  const engine = await start(dir);
  const hashes = Array.from({ length: count }, () => randomBytes(20).toString('hex'));
  for (const hash of hashes) await engine.add(hash);
  await engine.destroy();
  return hashes.sort();
}

function savedHashes(path: string): string[] {
  const state = JSON.parse(readFileSync(path, 'utf8')) as { torrents: SavedTorrent[] };
  return state.torrents.map((torrent) => torrent.infoHash).sort();
}

function setAside(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.includes('.unreadable-'));
}

it('brings a library whose state file was cut short back from its backup, and says so', {
  timeout: 60_000,
}, async () => {
  const dir = join(work, 'truncated');
  const hashes = await library(dir, 3);
  const path = join(dir, STATE_FILE);
  const whole = readFileSync(path);
  const cut = whole.subarray(0, Math.floor(whole.length / 2));
  writeFileSync(path, cut);

  const warnings: string[] = [];
  const engine = await start(dir, warnings);
  assert.deepEqual(
    engine
      .list()
      .map((entry) => entry.infoHash)
      .sort(),
    hashes,
  );
  assert.ok(
    warnings.some((warning) => /could not be read/.test(warning)),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.some((warning) => /restored 3 torrents from the backup/.test(warning)),
    warnings.join('\n'),
  );
  const [aside] = setAside(dir);
  assert.ok(aside, 'the unreadable file is kept');
  assert.ok(readFileSync(join(dir, aside)).equals(cut), 'byte for byte');

  await engine.destroy();
  assert.deepEqual(savedHashes(path), hashes, 'the next save writes the library back');
  assert.ok(readFileSync(join(dir, aside)).equals(cut), 'and not over the unreadable copy');
});

it('with neither the file nor its backup readable: starts empty, says so, overwrites neither', {
  timeout: 60_000,
}, async () => {
  const dir = join(work, 'both-bad');
  await library(dir, 2);
  writeFileSync(join(dir, STATE_FILE), '{"version":1,"torr');
  writeFileSync(join(dir, `${STATE_FILE}.bak`), '');

  const warnings: string[] = [];
  const engine = await start(dir, warnings);
  assert.deepEqual(engine.list(), []);
  assert.ok(
    warnings.some((warning) => /no readable backup/.test(warning)),
    warnings.join('\n'),
  );
  const newcomer = randomBytes(20).toString('hex');
  await engine.add(newcomer);
  await engine.destroy();

  const kept = setAside(dir)
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .sort();
  assert.deepEqual(kept, ['', '{"version":1,"torr']);
  assert.deepEqual(savedHashes(join(dir, STATE_FILE)), [newcomer]);
});

it('removes the temporary file a crashed process left, not one a live process writes', {
  timeout: 60_000,
}, async () => {
  const dir = join(work, 'stale');
  const hashes = await library(dir, 1);
  const gone = spawnSync(process.execPath, ['-e', '']).pid;
  const stale = join(dir, `${STATE_FILE}.${gone}.tmp`);
  const live = join(dir, `${STATE_FILE}.${process.ppid}.tmp`);
  writeFileSync(stale, '{"version":1,"torrents":[]}');
  writeFileSync(live, '{}');
  const engine = await start(dir);
  assert.deepEqual(
    engine.list().map((entry) => entry.infoHash),
    hashes,
  );
  assert.equal(existsSync(stale), false);
  assert.equal(existsSync(live), true);
});

it('a save on a full disk fails, leaving no temporary file and the last good state', {
  timeout: 60_000,
}, async (t) => {
  const mountPoint = join(work, 'tmpfs');
  mkdirSync(mountPoint);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'pipe' });
  } catch (err) {
    return t.skip(`cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})`);
  }
  try {
    const warnings: string[] = [];
    const store = new StateStore(mountPoint, (message) => warnings.push(message));
    const saved = (infoHash: string): SavedTorrent => ({ infoHash, addedAt: 1, lastStreamedAt: 0 });
    const first = saved('a'.repeat(40));
    assert.deepEqual(await store.load(), []);
    await store.save([first]);
    await store.save([first]);
    // Fill what is left.
    assert.throws(() => {
      for (let i = 0; ; i++) writeFileSync(join(mountPoint, `filler-${i}`), Buffer.alloc(64 * 1024));
    }, /ENOSPC/);
    const many = Array.from({ length: 2000 }, () => saved(randomBytes(20).toString('hex')));
    await assert.rejects(store.save(many), /ENOSPC/);
    assert.deepEqual(
      readdirSync(mountPoint).filter((name) => name.endsWith('.tmp')),
      [],
    );
    assert.deepEqual(savedHashes(join(mountPoint, STATE_FILE)), [first.infoHash]);
    assert.deepEqual(warnings, []);
  } finally {
    execFileSync('umount', [mountPoint]);
  }
});
