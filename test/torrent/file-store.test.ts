/**
 * The torrents' file store on its own: the bytes put come back exact across file boundaries, however many
 * files, while the descriptors it holds open (counted by the kernel, in /proc/self/fd) never pass the
 * pool's bound; files not there yet read as errors; empty files are created; destroy removes the files. A
 * chunk given as its blocks (putBlocks) is stored as the bytes they make, however they fall across files.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import fc from 'fast-check';
import { DescriptorPool } from '../../src/torrent/descriptor-pool.js';
import { FileStore } from '../../src/torrent/file-store.js';

let work: string;
let count = 0;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'streamtide-file-store-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

/** Descriptors this process holds on files under `dir`. */
function openUnder(dir: string): number {
  let open = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) open++;
    } catch {
      // closed meanwhile
    }
  }
  return open;
}

/** The most descriptors open under `dir` while `work` runs, sampled every turn of the event loop. */
async function peakOpenUnder(dir: string, work: Promise<unknown>): Promise<number> {
  let done = false;
  void work.finally(() => {
    done = true;
  });
  let peak = 0;
  while (!done) {
    peak = Math.max(peak, openUnder(dir));
    await nextTurn();
  }
  await work;
  return peak;
}

function store(files: Array<{ path: string; length: number }>, chunkLength: number, pool: DescriptorPool) {
  const root = join(work, `t${count++}`);
  let offset = 0;
  const placed = files.map((file) => {
    const at = offset;
    offset += file.length;
    return { ...file, offset: at };
  });
  return { root, store: new FileStore(root, pool, chunkLength, { files: placed, length: offset }) };
}

const put = (s: FileStore, index: number, bytes: Uint8Array) =>
  new Promise<void>((resolve, reject) => s.put(index, bytes, (err) => (err ? reject(err) : resolve())));
const putBlocks = (s: FileStore, index: number, blocks: Uint8Array[]) =>
  new Promise<void>((resolve, reject) =>
    s.putBlocks(index, blocks, (err) => (err ? reject(err) : resolve())),
  );
const get = (s: FileStore, index: number, opts: { offset?: number; length?: number } | null = null) =>
  new Promise<Buffer>((resolve, reject) =>
    s.get(index, opts, (err, bytes) => (err ? reject(err) : resolve(Buffer.from(bytes!)))),
  );

describe('the file store', () => {
  it('writes and reads 300 files through at most 4 open descriptors', async () => {
    const pool = new DescriptorPool(4);
    // 300 files of 250 bytes, 1000-byte chunks: four files a chunk, and chunks split files too (333).
    const files = Array.from({ length: 300 }, (_, i) => ({ path: `t/dir${i % 7}/f${i}.bin`, length: 250 }));
    const chunkLength = 333;
    const { root, store: s } = store(files, chunkLength, pool);
    const data = randomBytes(300 * 250);
    const chunks = Math.ceil(data.length / chunkLength);
    const chunk = (i: number) => data.subarray(i * chunkLength, (i + 1) * chunkLength);
    const written = Promise.all(Array.from({ length: chunks }, (_, i) => put(s, i, chunk(i))));
    assert.ok((await peakOpenUnder(root, written)) <= 4);
    const read = Promise.all(Array.from({ length: chunks }, (_, i) => get(s, i)));
    const peak = await peakOpenUnder(root, read);
    assert.ok(peak <= 4 && peak > 0, `${peak} descriptors open at once`);
    assert.deepEqual(Buffer.concat(await read), data);
    assert.deepEqual(await get(s, 5, { offset: 100, length: 200 }), chunk(5).subarray(100, 300));
    for (const i of [0, 151, 299]) {
      const onDisk = readFileSync(join(root, `t/dir${i % 7}/f${i}.bin`));
      assert.deepEqual(onDisk, data.subarray(i * 250, (i + 1) * 250));
    }
    await new Promise((resolve) => s.close(resolve));
    assert.equal(openUnder(root), 0);
    await assert.rejects(get(s, 0), /closed/);
  });

  it('answers a read of a file not downloaded yet with an error, then the bytes once written', async () => {
    const { store: s } = store([{ path: 'x/a.bin', length: 100 }], 100, new DescriptorPool(2));
    await assert.rejects(get(s, 0));
    await assert.rejects(get(s, 0));
    const bytes = randomBytes(100);
    await put(s, 0, bytes);
    assert.deepEqual(await get(s, 0), bytes);
    await assert.rejects(put(s, 0, bytes.subarray(1)), /must be 100 bytes/);
  });

  it('creates empty files with the chunk around them, and destroy removes every file', async () => {
    const files = [
      { path: 'e/empty-first', length: 0 },
      { path: 'e/a.bin', length: 10 },
      { path: 'e/empty-middle', length: 0 },
      { path: 'e/b.bin', length: 10 },
      { path: 'e/empty-last', length: 0 },
    ];
    const { root, store: s } = store(files, 16, new DescriptorPool(1));
    await put(s, 0, randomBytes(16));
    await put(s, 1, randomBytes(4));
    for (const file of files) assert.equal(statSync(join(root, file.path)).size, file.length, file.path);
    await new Promise((resolve) => s.destroy(resolve));
    for (const file of files) assert.equal(existsSync(join(root, file.path)), false, file.path);
  });

  it('stores a chunk given as blocks as the bytes they make, across files and blocks cut anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 12 }),
        async (lengths, cuts) => {
          const files = lengths.map((length, i) => ({ path: `b/f${i}.bin`, length }));
          const total = lengths.reduce((a, b) => a + b, 0);
          fc.pre(total > 0); // nothing to put
          const chunkLength = 512;
          const { root, store: s } = store(files, chunkLength, new DescriptorPool(2));
          const data = randomBytes(total);
          for (let index = 0; index * chunkLength < total; index++) {
            const chunk = data.subarray(index * chunkLength, (index + 1) * chunkLength);
            const blocks: Uint8Array[] = [];
            for (let at = 0, i = 0; at < chunk.length; i++) {
              const size = cuts[i % cuts.length]!;
              blocks.push(chunk.subarray(at, at + size));
              at += size;
            }
            await putBlocks(s, index, blocks);
            assert.deepEqual(await get(s, index), chunk);
          }
          let at = 0;
          for (const file of files) {
            assert.deepEqual(readFileSync(join(root, file.path)), data.subarray(at, at + file.length));
            at += file.length;
          }
          await new Promise((resolve) => s.close(resolve));
        },
      ),
      { numRuns: 40 },
    );
    const { store: s } = store([{ path: 'b/short.bin', length: 100 }], 100, new DescriptorPool(1));
    await assert.rejects(putBlocks(s, 0, [randomBytes(60), randomBytes(30)]), /must be 100 bytes/);
  });
});
