/**
 * A first open of a file does not wait for ffprobe to start FFmpeg: the plan is made from the container's
 * own header (header-info.ts), and FFmpeg starts on it while the probe runs. When the header leaves
 * nothing for ffprobe to find that the plan depends on (`settled`), the stream goes out on it at once and
 * the probe only checks it afterwards (a disagreement is logged; the next request follows the probe).
 * Otherwise its output is held and used only if the probe's plan runs the very same command; if not, it
 * is stopped and the stream starts as it would have without it.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { DataSource } from '../stream/data-source.js';
import { buildFfmpegArgs } from '../stream/ffmpeg-args.js';
import { headerInfo } from '../stream/header-info.js';
import { type MediaInfo, openOptions } from '../stream/media-info.js';
import { type Plan, type PlanRequest, planStream } from '../stream/plan.js';
import { prefetch } from '../stream/prefetch.js';
import {
  acquire,
  discard,
  type EarlyStream,
  type Spare,
  type StarterOptions,
  spareFits,
  startSpare,
  startStreamer,
} from './spare-ffmpeg.js';

export type { EarlyStream } from './spare-ffmpeg.js';

/** The head asked for at once by a first open (see start()). */
export const FIRST_BYTES = 256 * 1024;

export interface EarlyOptions extends StarterOptions {
  catalog: Pick<Catalog, 'open'>;
  infoHash: string;
  index: number;
  /** The request's: aborting it stops what was started. */
  signal: AbortSignal;
  /**
   * A spare started before the file was known (the torrent's metadata was still on its way): this
   * EarlyStart owns it from now on, keeping it if the header plans the same command.
   */
  spare?: Spare | null;
}

export class EarlyStart {
  /**
   * `settled`: taken before the probe; `taken`: the probe's plan matched; `differed`: it did not and FFmpeg
   * was stopped; `none`: none was started.
   */
  outcome: 'none' | 'settled' | 'taken' | 'differed' = 'none';
  readonly #started: Promise<EarlyStream | null>;
  #taken = false;

  private constructor(options: EarlyOptions) {
    this.#started = start(options).catch(() => null);
  }

  /** Reads the header and, when it plans a remux or transcode from a pipe, starts FFmpeg on that plan. */
  static begin(options: EarlyOptions): EarlyStart {
    return new EarlyStart(options);
  }

  /**
   * The early stream if its header is settled, to serve without waiting for the probe (the caller owns it,
   * as from take()); else null, and it stays for take() to judge.
   */
  async settled(): Promise<EarlyStream | null> {
    if (this.#taken) return null;
    const early = await this.#started;
    if (!early?.settled || this.#taken) return null;
    this.#taken = true;
    this.outcome = 'settled';
    return early;
  }

  /**
   * The early stream when it runs exactly what `plan` would (the caller owns it from then on: stopping it,
   * releasing its slots, closing its source); otherwise stops it and resolves null. Once only.
   */
  async take(plan: Plan): Promise<EarlyStream | null> {
    if (this.#taken) return null;
    this.#taken = true;
    const early = await this.#started;
    if (!early) return null;
    if (sameRun(early.plan, plan)) {
      this.outcome = 'taken';
      return early;
    }
    this.outcome = 'differed';
    await discard(early);
    return null;
  }

  /**
   * When the probe of `name` may start without slowing this start down: once a settled header's stream has
   * its init segment out (ffprobe starting beside it, ~60 ms of CPU, delayed that stream's first fragment on
   * a busy machine); at once for a file that is not Matroska/WebM, or whose header leaves a doubt (its stream
   * waits for the probe).
   */
  async probeMayStart(name: string): Promise<void> {
    if (!/\.(mkv|mk3d|webm)$/i.test(name)) return;
    const early = await this.#started;
    if (early?.settled) await early.streamer.ready.catch(() => undefined);
  }

  /** Stops what was started unless it was taken; for every way out of the request. Idempotent. */
  async drop(): Promise<void> {
    if (this.#taken) return;
    this.#taken = true;
    const early = await this.#started;
    if (early) await discard(early);
  }
}

async function start(options: EarlyOptions): Promise<EarlyStream | null> {
  let spare = options.spare ?? null;
  let head: DataSource;
  try {
    head = await options.catalog.open(options.infoHash, options.index);
  } catch (err) {
    if (spare) await discard(spare);
    throw err;
  }
  // The head FFmpeg reads first (its init segment and, at common bitrates, its first fragment), asked for
  // at once: read after read, a torrent is asked for one piece at a time, and with one small request in
  // flight a webtorrent peer's first block came ~45 ms after its message header (Nagle against a delayed ACK).
  prefetch(head, 0, FIRST_BYTES, options.signal);
  if (spare && !spareFits(head)) {
    await discard(spare);
    spare = null;
  }
  spare ??= spareFits(head) ? startSpare(options, head.name, head.size) : null;
  const early = await fromHeader(options, head, spare).catch(async (err: unknown) => {
    if (spare) await discard(spare);
    throw err;
  });
  if (spare && early?.streamer !== spare.streamer) await discard(spare);
  // The request gone before the probe's verdict: nobody will take or drop it.
  if (early && options.signal.aborted) {
    await discard(early);
    return null;
  }
  return early;
}

/** The stream the header plans: the spare if it runs that plan, else a new one. */
async function fromHeader(
  options: EarlyOptions,
  head: DataSource,
  spare: Spare | null,
): Promise<EarlyStream | null> {
  const { catalog, infoHash, index, signal } = options;
  const header = await headerInfo(head, signal).finally(() => head.close());
  if (!header || signal.aborted) return null;
  const { info, settled } = header;
  const plan = planStream(info, options.request);
  if (plan.mode === 'direct' || plan.input.kind !== 'pipe') return null;
  const opened = () => catalog.open(infoHash, index, openOptions(info, head.size));
  if (spare && sameRun(spare.plan, plan)) {
    spare.source.settle(opened(), head.size);
    return { ...spare, info, settled };
  }
  const release = acquire(options.limits, plan);
  if (!release) return null; // the stream itself answers 503 if the limit still holds after the probe
  let source: DataSource;
  try {
    source = await opened();
  } catch (err) {
    release();
    throw err;
  }
  return { info, settled, plan, source, streamer: startStreamer(options, source, plan, info), release };
}

/**
 * For a stream that went out on its settled header: once the probe is done, `warn` if its plan would have
 * run another command (the file's next request follows the probe, cached).
 */
export function confirmLater(
  early: EarlyStream,
  probing: Promise<MediaInfo | undefined>,
  request: PlanRequest,
  warn: (text: string) => void,
): void {
  probing
    .then((info) => {
      const plan = info && planStream(info, request);
      if (plan && !sameRun(early.plan, plan)) {
        warn(`streamed as its header planned (${early.plan.reason}); the probe plans ${plan.reason}`);
      }
    })
    .catch(() => undefined); // the probe failing is not this stream's concern any more
}

/** Two plans that start the same FFmpeg and answer with the same type. */
function sameRun(a: Plan, b: Plan): boolean {
  if (a.mode !== b.mode || a.mime !== b.mime) return false;
  if (a.input.kind !== 'pipe' || b.input.kind !== 'pipe') return false;
  const argsA = buildFfmpegArgs(a);
  const argsB = buildFfmpegArgs(b);
  return argsA.length === argsB.length && argsA.every((arg, i) => arg === argsB[i]);
}
