/**
 * Hostile input at the HTTP edge, property-based: whatever the Range header, body or query, the server
 * answers a 2xx with exact bytes or a 4xx with an error — never a 5xx, never a crash.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseRange } from '../../src/stream/byte-range.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { type Bencodable, bencode } from '../helpers/bencode.js';
import { makeMedia } from '../helpers/media.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';
import { startTestEngine } from '../helpers/swarm.js';

let server: TestServer;
let url: string;
let bytes: Buffer;

let engine: TorrentEngine;

before(async () => {
  engine = await startTestEngine(mkdtempSync(join(tmpdir(), 'streamtide-hostile-')));
  server = await startTestServer({ torrents: engine });
  const path = await makeMedia('mp4');
  bytes = readFileSync(path);
  const entry = await server.catalog.addLocalFile(path);
  url = `${server.url}/stream/${entry.infoHash}/0`;
});
after(async () => {
  await server.close();
  await engine.destroy();
});

const rangeHeader = fc.oneof(
  fc.string(),
  fc
    .tuple(fc.option(fc.nat({ max: 400_000 })), fc.option(fc.nat({ max: 400_000 })))
    .map(([a, b]) => `bytes=${a ?? ''}-${b ?? ''}`),
  fc.constantFrom(
    'bytes=0-0',
    'bytes=-0',
    'bytes=5-2',
    'bytes=0-1,4-5',
    'bytes=--1',
    'items=0-1',
    'bytes=1e3-2e3',
  ),
);

describe('parseRange', () => {
  it('always yields a range inside the file, none, or unsatisfiable', () => {
    fc.assert(
      fc.property(rangeHeader, fc.nat({ max: 1_000_000 }), (header, size) => {
        const result = parseRange(header, size);
        if (result.kind === 'range') {
          assert.ok(
            result.start >= 0 && result.start <= result.end && result.end < size,
            JSON.stringify(result),
          );
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the stream route under random Range headers', () => {
  it('answers 200/206 with the exact bytes, or 416', async () => {
    await fc.assert(
      fc.asyncProperty(rangeHeader, async (header) => {
        const response = await fetch(url, { headers: { Range: header } });
        const body = await bodyBytes(response);
        if (response.status === 416) return;
        if (response.status === 200) {
          assert.equal(body.length, bytes.length);
          return;
        }
        assert.equal(response.status, 206, `${header} → ${response.status}`);
        const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
        assert.ok(match, response.headers.get('content-range') ?? 'no Content-Range');
        assert.deepEqual(body, bytes.subarray(Number(match[1]), Number(match[2]) + 1));
      }),
      { numRuns: 150 },
    );
  });
});

describe('Range suffixes longer than the file', () => {
  it('select the whole file, however many digits (RFC 9110 §14.1.2)', async () => {
    for (const suffix of [String(bytes.length + 1), '3000000', '99999999999999999999', '9'.repeat(400)]) {
      assert.deepEqual(parseRange(`bytes=-${suffix}`, bytes.length), {
        kind: 'range',
        start: 0,
        end: bytes.length - 1,
      });
      const response = await fetch(url, { headers: { Range: `bytes=-${suffix}` } });
      assert.equal(response.status, 206, `bytes=-${suffix}`);
      assert.equal(response.headers.get('content-range'), `bytes 0-${bytes.length - 1}/${bytes.length}`);
      assert.ok((await bodyBytes(response)).equals(bytes));
    }
    // A suffix of nothing selects nothing.
    assert.deepEqual(parseRange('bytes=-0', bytes.length), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=-00000000000000000000000', bytes.length), { kind: 'unsatisfiable' });
  });
});

describe('query parameters and bodies', () => {
  it('answers 400 to numbers that are not finite (Infinity, 1e400) wherever a number is asked', async () => {
    const hash = url.split('/').at(-2);
    const asked = [
      ...['t=Infinity', 't=1e400', 't=-Infinity', 'audio=Infinity', 'audio=-1e999'].map((q) => `${url}?${q}`),
      ...['Infinity', '1e400', '-Infinity'].flatMap((index) => [
        `${server.url}/stream/${hash}/${index}`,
        `${server.url}/api/torrents/${hash}/files/${index}/probe`,
        `${server.url}/subtitles/${hash}/${index}.vtt`,
        `${server.url}/cover/${hash}/${index}`,
        `${server.url}/hls/${hash}/${index}/master.m3u8`,
      ]),
      `${server.url}/subtitles/${hash}/0.vtt?stream=Infinity`,
      `${server.url}/subtitles/${hash}/0.vtt?t=1e400`,
      `${server.url}/hls/${hash}/0/master.m3u8?audio=Infinity`,
    ];
    for (const target of asked) {
      const response = await fetch(target);
      assert.equal(response.status, 400, target);
      assert.match(((await response.json()) as { error: string }).error, /finite|must be/, target);
    }
  });

  it('answers 4xx, never 5xx, to random query strings on the stream and probe routes', async () => {
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom('-1', 'NaN', 'Infinity', '1e400', '0x10', '', '9'.repeat(30)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('t', 'audio', 'mode', 'index'), value, async (key, v) => {
        const response = await fetch(`${url}?${key}=${encodeURIComponent(v)}`, { method: 'HEAD' });
        assert.ok(response.status < 500, `${key}=${v} → ${response.status}`);
      }),
      { numRuns: 100 },
    );
    for (const index of ['-1', '1.5', '99999999999999999999', 'abc', '%00']) {
      const response = await fetch(`${url.replace(/\/0$/, `/${index}`)}`);
      assert.ok(response.status === 400 || response.status === 404, `index ${index} → ${response.status}`);
      await response.arrayBuffer();
    }
  });

  it('answers 4xx with an error to random JSON bodies on POST /api/torrents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.record({ source: fc.string() })), async (value) => {
        const response = await fetch(`${server.url}/api/torrents`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(value),
        });
        assert.ok(
          response.status >= 400 && response.status < 500,
          `${JSON.stringify(value)} → ${response.status}`,
        );
        const body = (await response.json()) as { error?: unknown };
        assert.equal(typeof body.error, 'string');
      }),
      { numRuns: 100 },
    );
  });

  it('answers 400 saying why to a .torrent that lists no files or has a file that is also a folder', async () => {
    const pieces = createHash('sha1').update(Buffer.alloc(10)).digest();
    const cases: Array<[Bencodable[], RegExp]> = [
      [[], /lists no files/],
      [
        [
          { length: 5, path: ['x'] },
          { length: 5, path: ['x', 'y'] },
        ],
        /"n\/x" is both a file and a folder/,
      ],
    ];
    for (const [files, why] of cases) {
      const response = await fetch(`${server.url}/api/torrents`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-bittorrent' },
        body: bencode({ info: { name: 'n', 'piece length': 16_384, pieces, files } }),
      });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { error: string }).error, why);
    }
  });

  it('is still healthy afterwards', async () => {
    const response = await fetch(`${server.url}/api/health`);
    assert.equal(response.status, 200);
    await response.arrayBuffer();
  });
});
