/**
 * One rendition of one file (say, its copied video, or its second audio stream encoded to AAC), shared by
 * every viewer: its segments on disk and the encoder runs making them. A request for a stored segment is
 * answered from disk; one just ahead of a running encoder waits for it; one far from every encoder starts
 * a run there. Deciding happens synchronously, so parallel requests after a seek start one run, not one
 * each. Runs nobody asks anything of for a while are stopped; one no request waits on may yield its FFmpeg.
 */
import { abortableWait } from '../abort.js';
import { type EncoderProcess, SegmentEncoder } from './segment-encoder.js';
import type { SegmentStore } from './segment-store.js';
import type { SegmentTimes } from './segment-times.js';

export interface RenditionOptions {
  store: SegmentStore;
  times: SegmentTimes;
  /** Starts FFmpeg for a run of segments [first, until); throws when it may not (a process limit: 503). */
  startProcess(first: number, until: number): EncoderProcess;
  /** The most segments one run makes (default: all to the end). */
  runLength?: number;
  /** Segments made past the furthest one asked for (default 4). */
  ahead?: number;
  /** How far past an encoder's position a request still waits for it rather than starting another (2). */
  reach?: number;
  /** Runs at once; past it the least recently asked one stops (default 3). */
  maxEncoders?: number;
  /** A run paused this long with nobody asking is stopped (default 30 s). */
  idleMs?: number;
  /** The last request waiting on a run left it (answered or gone): see spareRuns. */
  onSpare?(): void;
}

/** A segment that cannot be made: the source ended before it, or the encoder failed. */
export class SegmentUnavailableError extends Error {
  readonly statusCode: number;
  constructor(
    message: string,
    readonly stderr: string[] = [],
    statusCode = 502,
  ) {
    super(message);
    this.name = 'SegmentUnavailableError';
    this.statusCode = statusCode;
  }

  /** What the error answer carries besides the message: FFmpeg's last words. */
  get details(): Record<string, unknown> {
    return this.stderr.length > 0 ? { stderr: this.stderr } : {};
  }
}

export class Rendition {
  readonly #encoders = new Set<SegmentEncoder>();
  readonly #options: Required<RenditionOptions>;
  /** Requests waiting on each run. */
  readonly #waiting = new Map<SegmentEncoder, number>();
  /** Settled (and replaced) whenever a segment is stored or a run ends. */
  #changed = signal();
  #idleTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: RenditionOptions) {
    this.#options = {
      ahead: 4,
      reach: 2,
      maxEncoders: 3,
      idleMs: 30_000,
      runLength: Number.POSITIVE_INFINITY,
      onSpare: () => undefined,
      ...options,
    };
  }

  get store(): SegmentStore {
    return this.#options.store;
  }

  /** Runs no request waits on: paused ahead of their viewers, or making segments nobody has asked for yet. */
  spareRuns(): SegmentEncoder[] {
    return [...this.#encoders].filter((e) => !e.ended && !this.#waiting.has(e));
  }

  /** Encoder runs going on now. */
  get encoders(): number {
    return this.#encoders.size;
  }

  /**
   * The init segment's path, once a run has written it. If none runs, one is started at `likely` — the
   * segment the viewer will probably ask next (where it asked in another rendition), else 0 — and makes
   * only the init until asked for a segment.
   */
  async init(signal?: AbortSignal, likely = 0): Promise<string> {
    const { store, times } = this.#options;
    const from = Number.isInteger(likely) && likely > 0 && likely < times.starts.length ? likely : 0;
    let owner: SegmentEncoder | null = null;
    return this.#waitFor(signal, (waitOn) => {
      if (store.hasInit) return store.initPath;
      failIfBroken(owner);
      if (!owner || owner.ended) owner = waitOn([...this.#encoders][0] ?? this.#start(from, false));
      return null;
    });
  }

  /** The path of segment `k`, made if need be; waits as long as the encoder making it goes on. */
  async segment(k: number, signal?: AbortSignal): Promise<string> {
    const { store, times, reach } = this.#options;
    if (!Number.isInteger(k) || k < 0 || k >= times.starts.length) {
      throw new SegmentUnavailableError(`no segment ${k}: the playlist has ${times.starts.length}`, [], 404);
    }
    let owner: SegmentEncoder | null = null;
    return this.#waitFor(signal, (waitOn) => {
      if (store.has(k)) return store.segmentPath(k);
      if (owner?.missing.has(k)) throw new SegmentUnavailableError(`the source has no media in segment ${k}`);
      failIfBroken(owner);
      if (!owner || owner.ended) {
        owner = waitOn([...this.#encoders].find((e) => e.covers(k, reach)) ?? this.#start(k));
        if (!owner) return null; // every run works for someone: wait for one to pause or end
      }
      owner.want(k);
      return null;
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#idleTimer) clearInterval(this.#idleTimer);
    await Promise.all([...this.#encoders].map((e) => e.stop()));
  }

  /**
   * Runs `check` now and after every change until it answers (or throws); the caller may leave. `check`
   * names the run it waits on through `waitOn`, counted as waited on until the wait ends or moves.
   */
  async #waitFor(
    signal: AbortSignal | undefined,
    check: (waitOn: (run: SegmentEncoder | null) => SegmentEncoder | null) => string | null,
  ): Promise<string> {
    let on: SegmentEncoder | null = null;
    const waitOn = (run: SegmentEncoder | null) => {
      if (run !== on) {
        // The new one first: the old one's onSpare must not see the new one as spare.
        this.#count(run, 1);
        this.#count(on, -1);
        on = run;
      }
      return run;
    };
    try {
      for (;;) {
        if (this.#closed) throw new SegmentUnavailableError('the server is stopping', [], 503);
        const answer = check(waitOn);
        if (answer !== null) return answer;
        const changed = this.#changed.promise;
        await abortableWait<void>(signal, (resolve) => void changed.then(resolve));
      }
    } finally {
      waitOn(null);
    }
  }

  #count(run: SegmentEncoder | null, by: 1 | -1): void {
    if (!run) return;
    const waiting = (this.#waiting.get(run) ?? 0) + by;
    if (waiting > 0) this.#waiting.set(run, waiting);
    else if (this.#waiting.delete(run) && !run.ended) this.#options.onSpare();
  }

  /**
   * A run from segment `k` (`asked` false: for the init segment alone, see SegmentEncoder.asked), or null
   * when `maxEncoders` run and each works for a waiting request. Only a run paused ahead of its viewers
   * (nobody waits on it) gives way: stopping one a request waits on would make that request start a run
   * in turn, stopping another — parallel requests for far-apart segments did so for ever.
   */
  #start(k: number, asked = true): SegmentEncoder | null {
    const { maxEncoders, times, store, ahead } = this.#options;
    if (asked) for (const e of [...this.#encoders].filter((other) => !other.asked)) this.#drop(e);
    if (this.#encoders.size >= maxEncoders) {
      const idle = [...this.#encoders].filter((e) => e.paused).sort((a, b) => a.lastActive - b.lastActive);
      if (idle.length === 0) return null;
      this.#drop(idle[0]!);
    }
    const until = Math.min(times.starts.length, k + this.#options.runLength);
    const encoder = new SegmentEncoder({
      process: this.#options.startProcess(k, until),
      first: k,
      until,
      times,
      store,
      ahead,
      asked,
      onStored: () => this.#notify(),
    });
    this.#encoders.add(encoder);
    void encoder.finished.then(() => {
      this.#encoders.delete(encoder);
      this.#notify();
    });
    this.#watchIdle();
    return encoder;
  }

  #drop(encoder: SegmentEncoder): void {
    this.#encoders.delete(encoder);
    void encoder.stop();
  }

  #notify(): void {
    const settled = this.#changed;
    this.#changed = signal();
    settled.resolve();
  }

  /** Stops runs that wait for viewers who have gone; the check runs only while some run exists. */
  #watchIdle(): void {
    if (this.#idleTimer) return;
    this.#idleTimer = setInterval(
      () => {
        const now = Date.now();
        for (const e of this.#encoders) {
          if (e.paused && now - e.lastActive > this.#options.idleMs) void e.stop();
        }
        if (this.#encoders.size === 0 && this.#idleTimer) {
          clearInterval(this.#idleTimer);
          this.#idleTimer = null;
        }
      },
      Math.min(5000, this.#options.idleMs),
    ).unref();
  }
}

/** A promise and its resolve (Promise.withResolvers needs Node 22). */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function failIfBroken(owner: SegmentEncoder | null): void {
  if (owner?.ended && owner.error) {
    throw new SegmentUnavailableError(`FFmpeg failed: ${owner.error.message}`, stderrOf(owner.error));
  }
}

function stderrOf(error: Error): string[] {
  const stderr = (error as { stderr?: unknown }).stderr;
  return Array.isArray(stderr) ? stderr.map(String) : [];
}
