/**
 * GET /metrics through the real server: Prometheus text whose figures follow what happened — a torrent
 * downloaded from a loopback seeder (bytes, torrents), streams started and ended by mode with their start
 * phases, no FFmpeg left once streams end — and behind the token like the API.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { makeMedia } from '../helpers/media.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

/** `name{labels} value` lines of a scrape, keyed by everything before the value. */
async function scrape(server: TestServer): Promise<Map<string, number>> {
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const figures = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) figures.set(match[1]!, Number(match[2]));
  }
  return figures;
}

describe('GET /metrics', () => {
  let work: string;
  let seeder: Seeder;
  let engine: TorrentEngine;
  let server: TestServer;
  let size: number;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'streamtide-metrics-'));
    const media = await makeMedia('mkv-h264-aac', { seconds: 4 });
    seeder = await startSeeder(media);
    size = seeder.torrent.length;
    engine = await startTestEngine(join(work, 'downloads'));
    server = await startTestServer({ torrents: engine });
  });
  after(async () => {
    await server?.close();
    await engine?.destroy();
    await seeder?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('starts at zero', async () => {
    const figures = await scrape(server);
    assert.equal(figures.get('streamtide_torrents'), 0);
    assert.equal(figures.get('streamtide_downloaded_bytes_total'), 0);
    assert.equal(figures.get('streamtide_ffmpeg_processes'), 0);
    assert.ok(figures.has('process_resident_memory_bytes'), 'the process figures are there too');
  });

  it('counts the torrent, its bytes and the streams of each mode', async () => {
    const added = await fetch(`${server.url}/api/torrents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ source: `${seeder.magnet}` }),
    });
    assert.equal(added.status, 201);
    const remux = await fetch(`${server.url}/stream/${seeder.infoHash}/0?mode=remux`);
    assert.equal(remux.status, 200);
    await bodyBytes(remux);
    const direct = await fetch(`${server.url}/stream/${seeder.infoHash}/0?mode=direct`);
    assert.equal(direct.status, 200);
    assert.equal((await bodyBytes(direct)).length, size);

    const figures = await scrape(server);
    assert.equal(figures.get('streamtide_torrents'), 1);
    assert.ok(figures.get('streamtide_downloaded_bytes_total')! >= size, 'every byte came from the seeder');
    assert.equal(figures.get('streamtide_streams_started_total{mode="remux"}'), 1);
    assert.equal(figures.get('streamtide_streams_started_total{mode="direct"}'), 1);
    assert.equal(figures.get('streamtide_streams_open{mode="remux"}'), 0);
    assert.equal(figures.get('streamtide_streams_open{mode="direct"}'), 0);
    assert.equal(figures.get('streamtide_ffmpeg_processes'), 0, 'no FFmpeg outlives its stream');
    const firstOut = figures.get(
      'streamtide_stream_start_phase_seconds_count{mode="remux",phase="firstOut"}',
    );
    assert.equal(firstOut, 1, 'the remux start reported its first output');
  });

  it('counts the streams served before its first scrape (prom-client loads with that scrape)', async () => {
    const fresh = await startTestServer({ torrents: engine });
    try {
      const remux = await fetch(`${fresh.url}/stream/${seeder.infoHash}/0?mode=remux`);
      assert.equal(remux.status, 200);
      await bodyBytes(remux);
      const figures = await scrape(fresh);
      assert.equal(figures.get('streamtide_streams_started_total{mode="remux"}'), 1);
      assert.equal(figures.get('streamtide_streams_open{mode="remux"}'), 0);
      const firstOut = figures.get(
        'streamtide_stream_start_phase_seconds_count{mode="remux",phase="firstOut"}',
      );
      assert.equal(firstOut, 1);
    } finally {
      await fresh.close();
    }
  });
});

describe('GET /metrics with a token', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ token: 's3cret' });
  });
  after(() => server?.close());

  it('needs the token like the API', async () => {
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
    const response = await fetch(`${server.url}/metrics`, { headers: { Authorization: 'Bearer s3cret' } });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /^# HELP /m);
  });
});
