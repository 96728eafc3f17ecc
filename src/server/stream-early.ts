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
import { type DeferredSource, deferredSource } from '../stream/deferred-source.js';
import { buildFfmpegArgs } from '../stream/ffmpeg-args.js';
import type { FfmpegTools } from '../stream/ffmpeg-locate.js';
import { headerInfo } from '../stream/header-info.js';
import { type MediaInfo, type MediaStream, openOptions } from '../stream/media-info.js';
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
  /** From the header: what the plan was made from, and whether it may go out before the probe. */
  info: MediaInfo;
  settled: boolean;
  plan: Plan;
  source: DataSource;
  streamer: ProgressiveStreamer;
  release: () => void;
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

  /** Stops what was started unless it was taken; for every way out of the request. Idempotent. */
  async drop(): Promise<void> {
    if (this.#taken) return;
    this.#taken = true;
    const early = await this.#started;
    if (early) await discard(early);
  }
}

async function start(options: EarlyOptions): Promise<EarlyStream | null> {
  const head = await options.catalog.open(options.infoHash, options.index);
  const spare = startSpare(options, head);
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
    spare.source.settle(opened());
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

type Spare = EarlyStream & { source: DeferredSource };

/** What a Matroska file most often holds (H.264 8-bit and AAC): the spare FFmpeg's guess. */
const LIKELY_MKV: MediaStream[] = [
  {
    index: 0,
    type: 'video',
    codec: 'h264',
    bitDepth: 8,
    language: null,
    title: null,
    default: true,
    forced: false,
  },
  { index: 1, type: 'audio', codec: 'aac', language: null, title: null, default: true, forced: false },
];

/**
 * An FFmpeg started before the header is in, on the likeliest plan for a Matroska file not yet on disk:
 * its start-up (~60 ms of CPU for a dynamically linked FFmpeg, more on a loaded machine) then overlaps
 * the wait for the first piece. It reads through a source opened only once the header gives the hints, and
 * is kept only if the header plans the very same command. Null when there is nothing to gain.
 */
function startSpare(
  options: EarlyOptions,
  head: DataSource,
): (EarlyStream & { source: DeferredSource }) | null {
  if (!/\.mkv$/i.test(head.name) || head.completePath?.()) return null;
  const info: MediaInfo = {
    container: 'matroska',
    formatName: 'matroska,webm',
    duration: null,
    streams: LIKELY_MKV,
    moovAtEnd: false,
    startTime: 0,
  };
  let plan: Plan;
  try {
    plan = planStream(info, options.request);
  } catch {
    return null; // an audio track asked for that the guess does not have
  }
  if (plan.mode === 'direct' || plan.input.kind !== 'pipe') return null;
  const release = acquire(options.limits, plan);
  if (!release) return null;
  const source = deferredSource(head.size, head.name);
  const streamer = startStreamer(options, source, plan, info);
  return { info, settled: false, plan, source, streamer, release };
}

function acquire(limits: EarlyOptions['limits'], plan: Plan): (() => void) | null {
  try {
    return plan.mode === 'transcode'
      ? acquireAll(limits.processes, limits.transcodes)
      : acquireAll(limits.processes);
  } catch {
    return null;
  }
}

function startStreamer(options: EarlyOptions, source: DataSource, plan: Plan, info: MediaInfo) {
  return ProgressiveStreamer.start({ source, plan, info, tools: options.tools, seekable: options.seekable });
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
