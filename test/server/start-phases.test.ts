/**
 * A stream start's phases (src/server/start-phases.ts) through the real server: in the torrent object's
 * `lastStart` and in the `stream first output` log line, for a local file (direct, remux, HLS) and for a
 * cold torrent from a loopback seeder, whose first peer is given only once the stream waits for metadata.
 * Times are not asserted, only which phases are there and their order.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { LastStart, StartPhases } from '../../src/catalog/start-ledger.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { makeMedia } from '../helpers/media.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

interface LogLine {
  msg: string;
  infoHash?: string;
  mode?: string;
  phases?: StartPhases;
}

/** A logger whose JSON lines land in `lines`. */
function capture() {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

async function lastStart(server: TestServer, infoHash: string): Promise<LastStart | undefined> {
  const torrent = (await (await fetch(`${server.url}/api/torrents/${infoHash}`)).json()) as {
    lastStart?: LastStart;
  };
  return torrent.lastStart;
}

/** The last start once its probe is done too: a settled header's stream may go out before it. */
async function probedStart(server: TestServer, infoHash: string): Promise<LastStart | undefined> {
  const until = Date.now() + 15_000;
  let start = await lastStart(server, infoHash);
  while (start?.phases.probed === undefined && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    start = await lastStart(server, infoHash);
  }
  return start;
}

/** The phases that are there, in the order the start went through them. */
function assertOrder(phases: StartPhases, names: Array<keyof StartPhases>): void {
  const values = names.map((name) => {
    const value = phases[name];
    assert.equal(typeof value, 'number', `${name} in ${JSON.stringify(phases)}`);
    return value!;
  });
  for (let i = 1; i < values.length; i++) {
    assert.ok(values[i - 1]! <= values[i]!, `${names[i - 1]} ≤ ${names[i]} in ${JSON.stringify(phases)}`);
  }
}

/** The log line has the phases as they were at the first output: all but a probe done after it. */
function assertLogged(line: LogLine, phases: StartPhases): void {
  const expected = { ...phases };
  if (line.phases?.probed === undefined && phases.probed! >= phases.firstOut!) delete expected.probed;
  assert.deepEqual(line.phases, expected);
}

/** The one `stream first output` line of this infoHash logged since `from`. */
function firstOutputLine(lines: LogLine[], from: number, infoHash: string): LogLine {
  const found = lines
    .slice(from)
    .filter((line) => line.msg.startsWith('stream first output') && line.infoHash === infoHash);
  assert.equal(found.length, 1, JSON.stringify(lines.slice(from).map((line) => line.msg)));
  return found[0]!;
}

describe('phases of a local file’s starts', () => {
  let server: TestServer;
  const { logger, lines } = capture();
  before(async () => {
    server = await startTestServer({ logger });
  });
  after(() => server.close());

  it('records remux, then HLS replacing it, with the log line carrying the same phases', async () => {
    const entry = await server.catalog.addLocalFile(await makeMedia('mkv-h264-aac', { seconds: 4 }));
    assert.equal(await lastStart(server, entry.infoHash), undefined, 'no start yet');

    let from = lines.length;
    const remux = await fetch(`${server.url}/stream/${entry.infoHash}/0?mode=remux`);
    assert.equal(remux.status, 200);
    await bodyBytes(remux);
    const first = (await probedStart(server, entry.infoHash))!;
    assert.equal(first.mode, 'remux');
    assert.equal(first.file, 0);
    // A local file has no add or metadata to wait for; its first probe and first read are this start's. The
    // MKV's header is settled (progressive declared): it streams without waiting for the probe.
    assert.deepEqual(Object.keys(first.phases).sort(), ['firstByte', 'firstOut', 'probed']);
    assertOrder(first.phases, ['firstByte', 'firstOut']);
    assertOrder(first.phases, ['firstByte', 'probed']);
    const line = firstOutputLine(lines, from, entry.infoHash);
    assert.equal(line.mode, 'remux');
    assertLogged(line, first.phases);
    assert.match(
      line.msg,
      /^stream first output ".+" \(remux\): first byte \d+ ms, (probed \d+ ms, )?first output \d+ ms after the request$/,
    );

    from = lines.length;
    const base = `${server.url}/hls/${entry.infoHash}/0`;
    assert.equal((await fetch(`${base}/master.m3u8`)).status, 200);
    assert.equal((await lastStart(server, entry.infoHash))!.mode, 'hls', 'replaced once the mode is known');
    assert.equal((await fetch(`${base}/video-copy/init.mp4`)).status, 200);
    assert.equal((await fetch(`${base}/video-copy/0.m4s`)).status, 200);
    assert.equal((await fetch(`${base}/audio0-copy/0.m4s`)).status, 200);
    const second = (await lastStart(server, entry.infoHash))!;
    assert.ok(second.at >= first.at);
    assert.equal(typeof second.phases.probed, 'number', 'the cached probe is done at once');
    assert.ok(second.phases.probed! <= second.phases.firstOut!);
    assert.deepEqual(firstOutputLine(lines, from, entry.infoHash).phases, second.phases);
  });

  it('a start its header cannot plan waits for the probe', async () => {
    const entry = await server.catalog.addLocalFile(await makeMedia('ts-h264-aac', { seconds: 2 }));
    const from = lines.length;
    const response = await fetch(`${server.url}/stream/${entry.infoHash}/0?mode=remux`);
    assert.equal(response.headers.get('x-stream-mode'), 'remux');
    await bodyBytes(response);
    const start = (await lastStart(server, entry.infoHash))!;
    assertOrder(start.phases, ['firstByte', 'probed', 'firstOut']);
    assert.deepEqual(firstOutputLine(lines, from, entry.infoHash).phases, start.phases);
  });

  it('records a direct start, first output at its first byte', async () => {
    const entry = await server.catalog.addLocalFile(await makeMedia('mp4', { seconds: 2 }));
    const from = lines.length;
    const response = await fetch(`${server.url}/stream/${entry.infoHash}/0`, {
      headers: { Range: 'bytes=0-' },
    });
    assert.equal(response.headers.get('x-stream-mode'), 'direct');
    await bodyBytes(response);
    const start = (await lastStart(server, entry.infoHash))!;
    assert.equal(start.mode, 'direct');
    assertOrder(start.phases, ['probed', 'firstOut']);
    assertOrder(start.phases, ['firstByte', 'firstOut']);
    assert.deepEqual(firstOutputLine(lines, from, entry.infoHash).phases, start.phases);
  });

  it('a HEAD is no start', async () => {
    const entry = await server.catalog.addLocalFile(await makeMedia('webm', { seconds: 2 }));
    const response = await fetch(`${server.url}/stream/${entry.infoHash}/0`, { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(await lastStart(server, entry.infoHash), undefined);
  });
});

describe('phases of a torrent’s starts', () => {
  let work: string;
  let seeder: Seeder;
  let engine: TorrentEngine;
  let server: TestServer;
  const { logger, lines } = capture();
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'streamtide-phases-'));
    seeder = await startSeeder(await makeMedia('mkv-h264-aac', { seconds: 4 }));
    engine = await startTestEngine(join(work, 'downloads'));
    server = await startTestServer({ torrents: engine, logger });
  });
  after(async () => {
    await server?.close();
    await engine?.destroy();
    await seeder?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('a cold start counts from the add; a warm one replaces it, from its request', async () => {
    // No peer in the magnet: the stream surely waits for the metadata, which comes once the peer is given.
    const added = await fetch(`${server.url}/api/torrents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ source: `magnet:?xt=urn:btih:${seeder.infoHash}` }),
    });
    assert.equal(added.status, 201);
    const catalog = server.catalog;
    const file = catalog.file.bind(catalog);
    const asked = new Promise<void>((resolve) => {
      catalog.file = (...args) => {
        resolve();
        return file(...args);
      };
    });
    const from = lines.length;
    const response = fetch(`${server.url}/stream/${seeder.infoHash}/0?mode=remux`);
    await asked;
    engine.addPeer(seeder.infoHash, `127.0.0.1:${seeder.port}`);
    const cold = await response;
    assert.equal(cold.status, 200);
    await bodyBytes(cold);
    const first = (await probedStart(server, seeder.infoHash))!;
    assert.equal(first.mode, 'remux');
    assert.equal(first.phases.added, 0);
    // Settled MKV header: the probe may finish after the first output.
    assertOrder(first.phases, ['added', 'metadata', 'firstByte', 'firstOut']);
    assertOrder(first.phases, ['firstByte', 'probed']);
    const line = firstOutputLine(lines, from, seeder.infoHash);
    assertLogged(line, first.phases);
    assert.match(
      line.msg,
      /: metadata \d+ ms, first byte \d+ ms, (probed \d+ ms, )?first output \d+ ms after the add$/,
    );

    const warm = await fetch(`${server.url}/stream/${seeder.infoHash}/0?mode=remux&t=1`);
    await bodyBytes(warm);
    const second = (await lastStart(server, seeder.infoHash))!;
    assert.notEqual(second.at, first.at, 'the second start replaced the first');
    assert.equal(second.phases.added, undefined, 'warm: the add is past');
    assert.equal(second.phases.metadata, undefined);
    assertOrder(second.phases, ['probed', 'firstByte', 'firstOut']);
  });
});
