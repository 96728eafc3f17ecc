/**
 * What a stream's start does not wait for, through the real server. ffprobe is held at a gate (a stand-in
 * that runs the real one only once the test opens it): a `mode=direct` stream of a media file answers its
 * bytes while the probe could not have run, and a seek reads the file's keyframe index while the probe is
 * still held, not after it. Which reads happen, never how long they take.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CatalogEntry } from '../../src/catalog/types.js';
import type { DataSource } from '../../src/stream/data-source.js';
import { eventually } from '../helpers/eventually.js';
import { makeMedia, tools } from '../helpers/media.js';
import { childProcesses, ffmpegWrapper } from '../helpers/processes.js';
import { bodyBytes, startTestServer, type TestServer } from '../helpers/server.js';

let work: string;
let gate: string;
let server: TestServer;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-start-waits-'));
  gate = join(work, 'open');
  const real = await tools();
  const ffprobe = ffmpegWrapper(
    join(work, 'ffprobe'),
    real.ffprobe,
    (quoted) => `while [ ! -e '${gate}' ]; do sleep 0.05; done\nexec ${quoted} "$@"`,
  );
  server = await startTestServer({ tools: { ...real, ffprobe } });
});

after(async () => {
  writeFileSync(gate, ''); // lets any held ffprobe finish
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Counts the sources the catalog opens for `entry` (the probe, the index, the stream each open one). */
function countOpens(entry: CatalogEntry): () => number {
  let opens = 0;
  const open = server.catalog.open.bind(server.catalog);
  server.catalog.open = (infoHash: string, index: number): Promise<DataSource> => {
    if (infoHash === entry.infoHash) opens++;
    return open(infoHash, index);
  };
  return () => opens;
}

describe('with ffprobe held back', () => {
  it('a direct stream of a media file answers its bytes without the probe', { timeout: 30_000 }, async () => {
    const path = await makeMedia('mp4', { seconds: 2 });
    const entry = await server.catalog.addLocalFile(path);
    const url = `${server.url}/stream/${entry.infoHash}/0?mode=direct`;
    const response = await fetch(url, { headers: { Range: 'bytes=100-' } });
    assert.equal(response.status, 206);
    assert.equal(response.headers.get('content-type'), 'video/mp4');
    assert.equal(response.headers.get('x-content-duration'), null, 'no probe, no duration');
    assert.deepEqual(await bodyBytes(response), readFileSync(path).subarray(100));
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), String(readFileSync(path).length));
    assert.equal(childProcesses('ffprobe').length, 0, 'no probe was started');
  });

  it('a seek reads the keyframe index while the probe waits', { timeout: 60_000 }, async () => {
    const entry = await server.catalog.addLocalFile(await makeMedia('mkv-gop2', { seconds: 8 }));
    const opens = countOpens(entry);
    const response = fetch(`${server.url}/stream/${entry.infoHash}/0?mode=remux&t=5`);
    assert.ok(await eventually(() => childProcesses('ffprobe').length === 1), 'the probe is held');
    assert.ok(await eventually(() => opens() === 2), 'the index read opened its own source meanwhile');
    writeFileSync(gate, '');
    const answer = await response;
    assert.equal(answer.status, 200);
    const start = Number(answer.headers.get('x-stream-start'));
    assert.ok(start > 3.9 && start < 5, `started at the keyframe before 5 s, not ${start}`);
    await answer.body?.cancel();
  });
});
