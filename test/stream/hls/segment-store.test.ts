import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SegmentStore } from '../../../src/stream/hls/segment-store.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'streamtide-store-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('SegmentStore', () => {
  it('stores the init segment and segments whole, knows what it has and how big it is', async () => {
    const store = await SegmentStore.open(join(root, 'a', 'video-copy-0123'));
    assert.equal(store.hasInit, false);
    assert.equal(store.has(0), false);
    await store.writeInit(Buffer.from('init'));
    await store.writeSegment(2, [Buffer.from('two, '), Buffer.from('in parts')]);
    assert.equal(store.hasInit, true);
    assert.deepEqual([store.has(0), store.has(2)], [false, true]);
    assert.equal(await readFile(store.initPath, 'utf8'), 'init');
    assert.equal(await readFile(store.segmentPath(2), 'utf8'), 'two, in parts');
    assert.equal(store.bytes, 4 + 13);
    // What is stored stays: a second write of the same segment (another run's) changes nothing.
    await store.writeSegment(2, [Buffer.from('other bytes')]);
    await store.writeInit(Buffer.from('other init'));
    assert.equal(await readFile(store.segmentPath(2), 'utf8'), 'two, in parts');
    assert.equal(await readFile(store.initPath, 'utf8'), 'init');
    assert.equal(store.bytes, 17);
    assert.deepEqual((await readdir(store.dir)).sort(), ['2.m4s', 'init.mp4'], 'no temporary file left');
  });

  it('never shows a reader half a segment: the name appears with every byte behind it', async () => {
    const store = await SegmentStore.open(join(root, 'atomic'));
    const parts = Array.from({ length: 64 }, (_, i) => Buffer.alloc(256 * 1024, i));
    const size = parts.length * 256 * 1024;
    let writing = true;
    const written = store.writeSegment(7, parts).finally(() => {
      writing = false;
    });
    const seen = new Set<number>();
    while (writing) {
      const found = await stat(store.segmentPath(7)).catch(() => null);
      if (found) seen.add(found.size);
    }
    await written;
    seen.add((await stat(store.segmentPath(7))).size);
    assert.deepEqual([...seen], [size]);
  });

  it('reopened, takes the segments on disk and removes what interrupted writes left', async () => {
    const dir = join(root, 'reopen');
    const first = await SegmentStore.open(dir);
    await first.writeInit(Buffer.alloc(100));
    await first.writeSegment(0, [Buffer.alloc(1000)]);
    await first.writeSegment(12, [Buffer.alloc(500)]);
    // A run killed mid-write leaves its temporary file; anything else is not the store's either.
    await writeFile(join(dir, `3.m4s.${process.pid}.abc123.part`), Buffer.alloc(50));
    await writeFile(join(dir, 'init.mp4.1.x.part'), Buffer.alloc(50));
    await writeFile(join(dir, 'stray.txt'), 'x');

    const again = await SegmentStore.open(dir);
    assert.equal(again.hasInit, true);
    assert.deepEqual(
      [0, 3, 12].map((k) => again.has(k)),
      [true, false, true],
    );
    assert.equal(again.bytes, 1600);
    assert.deepEqual((await readdir(dir)).sort(), ['0.m4s', '12.m4s', 'init.mp4']);
  });
});
