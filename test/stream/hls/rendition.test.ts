/**
 * Rendition with stand-in FFmpeg runs: each writes an init segment and a fragment per segment from where it
 * was started, paced by its output's backpressure like FFmpeg's stdout. What is checked is which runs start
 * for which requests, and what the requests get.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Rendition, SegmentUnavailableError } from '../../../src/stream/hls/rendition.js';
import { TIMELINE_BASE } from '../../../src/stream/hls/segment-args.js';
import type { EncoderProcess } from '../../../src/stream/hls/segment-encoder.js';
import { SegmentStore } from '../../../src/stream/hls/segment-store.js';
import { fixedSegmentTimes } from '../../../src/stream/hls/segment-times.js';
import { fragment, init } from './fmp4-fixtures.js';

const TIMESCALE = 1000;
const times = fixedSegmentTimes(40, 4, 4); // ten 4 s segments

type Mode = 'ok' | 'empty' | 'fail';

/** A run from `first`: init, then each segment's fragment, as FFmpeg's fMP4 on stdout would come. */
class FakeRun implements EncoderProcess {
  readonly output = new PassThrough({ highWaterMark: 1024 });
  readonly done: Promise<{ outcome: 'complete' | 'stopped' | 'failed'; error?: Error; stderr?: string[] }>;
  stopped = false;
  #stop!: () => void;
  readonly #stopping = new Promise<void>((resolve) => {
    this.#stop = resolve;
  });

  constructor(
    readonly first: number,
    readonly until: number,
    mode: Mode,
  ) {
    this.output.on('close', () => this.#halt());
    this.done = this.#write(mode);
  }

  async stop(): Promise<void> {
    this.#halt();
    this.output.destroy();
    await this.done;
  }

  #halt(): void {
    if (!this.output.writableFinished) this.stopped = true;
    this.#stop();
  }

  async #write(mode: Mode) {
    if (mode === 'fail') {
      this.output.end();
      const stderr = ['[matroska] invalid data', 'boom: exiting'];
      return {
        outcome: 'failed' as const,
        error: Object.assign(new Error('FFmpeg exited with code 1'), { stderr }),
      };
    }
    const chunks = [init(TIMESCALE)];
    if (mode === 'ok') {
      for (let k = this.first; k < this.until; k++) {
        const start = (TIMELINE_BASE + times.starts[k]!) * TIMESCALE;
        // Two fragments a segment: the encoder files both under it.
        chunks.push(fragment(start), fragment(start + 2000));
      }
    }
    for (const chunk of chunks) {
      if (this.stopped) break;
      if (!this.output.write(chunk)) {
        await Promise.race([new Promise((resolve) => this.output.once('drain', resolve)), this.#stopping]);
      }
    }
    if (this.stopped) return { outcome: 'stopped' as const };
    this.output.end();
    return { outcome: 'complete' as const };
  }
}

let root: string;
let count = 0;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'streamtide-rendition-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A rendition whose runs are FakeRuns (the mode each gets from `modes`, else 'ok'), and the runs. */
async function rendition(modes: Mode[] = []) {
  const runs: FakeRun[] = [];
  const store = await SegmentStore.open(join(root, String(count++)));
  const made = new Rendition({
    store,
    times,
    startProcess: (first, until) => {
      const run = new FakeRun(first, until, modes[runs.length] ?? 'ok');
      runs.push(run);
      return run;
    },
  });
  return { rendition: made, runs, store };
}

/** The first fragment's decode time in a stored segment, in playlist seconds. */
async function segmentStart(path: string): Promise<number> {
  const bytes = await readFile(path);
  const tfdt = bytes.indexOf('tfdt');
  return bytes.readUInt32BE(tfdt + 8) / TIMESCALE - TIMELINE_BASE;
}

describe('Rendition', () => {
  it('parallel requests for the same segments share one run', async () => {
    const { rendition: r, runs } = await rendition();
    const paths = await Promise.all([
      r.init(),
      r.segment(0),
      r.segment(0),
      r.segment(1),
      r.segment(2),
      r.init(),
    ]);
    assert.deepEqual(
      runs.map((run) => run.first),
      [0],
    );
    assert.equal(paths[0], paths[5]);
    assert.equal(paths[1], paths[2]);
    assert.deepEqual(await Promise.all(paths.slice(1, 5).map(segmentStart)), [0, 0, 4, 8]);
    await r.close();
  });

  it('starts a run at a far segment; a request just past a run waits for it', async () => {
    const { rendition: r, runs } = await rendition();
    assert.equal(await segmentStart(await r.segment(6)), 24);
    await r.segment(8); // within reach of the run at 6
    assert.deepEqual(
      runs.map((run) => run.first),
      [6],
    );
    await r.segment(1);
    assert.deepEqual(
      runs.map((run) => run.first),
      [6, 1],
    );
    await r.close();
  });

  it('a run for the init segment alone gives way to the first segment asked elsewhere', async () => {
    const { rendition: r, runs } = await rendition();
    await r.init();
    assert.equal(await segmentStart(await r.segment(7)), 28);
    assert.deepEqual(
      runs.map((run) => [run.first, run.stopped]),
      [
        [0, true],
        [7, false],
      ],
    );
    await r.close();
  });

  it('playing from the start after the init needs no other run', async () => {
    const { rendition: r, runs } = await rendition();
    await r.init();
    for (let k = 0; k < 6; k++) await r.segment(k);
    assert.deepEqual(
      runs.map((run) => [run.first, run.stopped]),
      [[0, false]],
    );
    await r.close();
  });

  it('every segment asked at once: runs past the limit wait for one to pause, none is evicted busy', {
    timeout: 20_000,
  }, async () => {
    const { rendition: r, runs } = await rendition();
    const paths = await Promise.all(times.starts.map((_, k) => r.segment(k)));
    assert.deepEqual(await Promise.all(paths.map(segmentStart)), times.starts);
    assert.ok(runs.length <= 5, `${runs.length} runs`);
    await r.close();
  });

  it('a run stops where another run’s segments begin', async () => {
    const { rendition: r, runs, store } = await rendition();
    await r.segment(9);
    await r.segment(4); // makes 4…8, then meets 9
    await r.segment(0); // makes 0…3, then meets 4
    // The runs end by themselves, each at the next one's first segment (a bounded wait).
    for (let i = 0; i < 500 && r.encoders > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(
      runs.map((run) => run.first),
      [9, 4, 0],
    );
    assert.deepEqual(
      times.starts.map((_, k) => store.has(k)),
      times.starts.map(() => true),
    );
    assert.equal(r.encoders, 0, 'every run is over');
    await r.close();
  });

  it('a segment the source has no media in is a 502, asked of one run only', async () => {
    const { rendition: r, runs } = await rendition(['empty', 'empty', 'empty']);
    await assert.rejects(
      r.segment(5),
      (err) =>
        err instanceof SegmentUnavailableError && err.statusCode === 502 && /no media/.test(err.message),
    );
    assert.equal(runs.length, 1);
    await r.close();
  });

  it('a failed run is a 502 carrying FFmpeg’s last lines', async () => {
    const { rendition: r } = await rendition(['fail', 'fail']);
    await assert.rejects(r.segment(3), (err) => {
      assert.ok(err instanceof SegmentUnavailableError);
      assert.equal(err.statusCode, 502);
      assert.deepEqual(err.details, { stderr: ['[matroska] invalid data', 'boom: exiting'] });
      return true;
    });
    await assert.rejects(r.init(), SegmentUnavailableError);
    await r.close();
  });

  it('404 for a segment the playlist does not have', async () => {
    const { rendition: r, runs } = await rendition();
    for (const k of [-1, 10, 1.5]) {
      await assert.rejects(
        r.segment(k),
        (err) => err instanceof SegmentUnavailableError && err.statusCode === 404,
      );
    }
    assert.equal(runs.length, 0);
    await r.close();
  });
});
