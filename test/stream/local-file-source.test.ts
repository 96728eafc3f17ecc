import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LocalFileSource } from '../../src/stream/local-file-source.js';
import { patternBytes } from '../helpers/controllable-source.js';

const dir = mkdtempSync(join(tmpdir(), 'streamtide-lfs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('reads exact ranges and clips at the end', async () => {
  const data = patternBytes(100_000);
  const path = join(dir, 'whole.bin');
  writeFileSync(path, data);
  const source = await LocalFileSource.open(path);
  try {
    assert.equal(source.size, 100_000);
    assert.equal(source.name, 'whole.bin');
    assert.ok((await source.read(10, 5000)).equals(data.subarray(10, 5010)));
    assert.ok((await source.read(99_990, 100)).equals(data.subarray(99_990)));
    assert.equal((await source.read(100_000, 10)).length, 0);
  } finally {
    await source.close();
  }
});

test('a read past the end of a growing file resolves once the test appends the bytes', async () => {
  const data = patternBytes(200_000);
  const path = join(dir, 'growing.bin');
  writeFileSync(path, data.subarray(0, 50_000));
  const source = await LocalFileSource.open(path, { expectedSize: data.length });
  try {
    assert.equal(source.size, 200_000);
    let settled = false;
    const pending = source.read(40_000, 100_000).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    appendFileSync(path, data.subarray(50_000, 100_000));
    assert.equal(settled, false, 'resolved before its bytes existed');
    appendFileSync(path, data.subarray(100_000, 200_000));
    assert.ok((await pending).equals(data.subarray(40_000, 140_000)));
  } finally {
    await source.close();
  }
});

test('a waiting read rejects on abort, and on close', async () => {
  const path = join(dir, 'stuck.bin');
  writeFileSync(path, patternBytes(10));
  const source = await LocalFileSource.open(path, { expectedSize: 1000 });
  const controller = new AbortController();
  const aborted = source.read(0, 100, { signal: controller.signal });
  controller.abort();
  await assert.rejects(aborted, { name: 'AbortError' });
  const closing = assert.rejects(source.read(0, 100), { code: 'CLOSED' });
  await source.close();
  await closing;
});
