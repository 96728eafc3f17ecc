/**
 * A first open of a file does not wait for ffprobe to start FFmpeg: the plan is made from the container's
 * own header (header-info.ts), and FFmpeg starts on it while the probe runs. Its output is held (nothing
 * reaches the client before the probe is done) and used only if the probe's plan runs the very same
 * command; otherwise it is stopped and the stream starts as it would have without it. The probe stays the
 * one authority on what the file holds; the header only lets FFmpeg's start-up and ffprobe's overlap.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { DataSource } from '../stream/data-source.js';
import { buildFfmpegArgs } from '../stream/ffmpeg-args.js';
import type { FfmpegTools } from '../stream/ffmpeg-locate.js';
import { headerInfo } from '../stream/header-info.js';
import { openOptions } from '../stream/media-info.js';
import { type Plan, type PlanRequest, planStream } from '../stream/plan.js';
import { ProgressiveStreamer } from '../stream/progressive-streamer.js';
import type { SeekableInputServer } from '../stream/seekable-input.js';
import { acquireAll, type Limiter } from './limiter.js';

export interface EarlyOptions {
  catalog: Pick<Catalog, 'open'>;
  infoHash: string;
  index: number;
  request: PlanRequest;
  tools: FfmpegTools;
  seekable: SeekableInputServer;
  /** Every FFmpeg counts against `processes`, a transcode also against `transcodes`. */
  limits: { processes: Limiter; transcodes: Limiter };
  /** The request's: aborting it stops what was started. */
  signal: AbortSignal;
}

/** An FFmpeg already running a plan, with what it holds: its own source and its limiter slots. */
export interface EarlyStream {
  plan: Plan;
  source: DataSource;
  streamer: ProgressiveStreamer;
  release: () => void;
}

export class EarlyStart {
  /** `taken`: the probe's plan matched; `differed`: it did not and FFmpeg was stopped; else none was started. */
  outcome: 'none' | 'taken' | 'differed' = 'none';
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

  /** Stops what was started unless it was taken; for every way out of the request. Idempotent. */
  async drop(): Promise<void> {
    if (this.#taken) return;
    this.#taken = true;
    const early = await this.#started;
    if (early) await discard(early);
  }
}

async function start(options: EarlyOptions): Promise<EarlyStream | null> {
  const { catalog, infoHash, index, signal } = options;
  const head = await catalog.open(infoHash, index);
  const info = await headerInfo(head, signal).finally(() => head.close());
  if (!info || signal.aborted) return null;
  const plan = planStream(info, options.request);
  if (plan.mode === 'direct' || plan.input.kind !== 'pipe') return null;
  const { processes, transcodes } = options.limits;
  let release: () => void;
  try {
    release = plan.mode === 'transcode' ? acquireAll(processes, transcodes) : acquireAll(processes);
  } catch {
    return null; // the stream itself answers 503 if the limit still holds when the probe is done
  }
  let source: DataSource;
  try {
    source = await catalog.open(infoHash, index, openOptions(info, head.size));
  } catch (err) {
    release();
    throw err;
  }
  const streamer = ProgressiveStreamer.start({
    source,
    plan,
    info,
    tools: options.tools,
    seekable: options.seekable,
  });
  const early = { plan, source, streamer, release };
  // The request gone before the probe's verdict: nobody will take or drop it.
  if (signal.aborted) {
    await discard(early);
    return null;
  }
  return early;
}

async function discard(early: EarlyStream): Promise<void> {
  try {
    await early.streamer.stop();
  } finally {
    early.release();
    await early.source.close();
  }
}

/** Two plans that start the same FFmpeg and answer with the same type. */
function sameRun(a: Plan, b: Plan): boolean {
  if (a.mode !== b.mode || a.mime !== b.mime) return false;
  if (a.input.kind !== 'pipe' || b.input.kind !== 'pipe') return false;
  const argsA = buildFfmpegArgs(a);
  const argsB = buildFfmpegArgs(b);
  return argsA.length === argsB.length && argsA.every((arg, i) => arg === argsB[i]);
}
