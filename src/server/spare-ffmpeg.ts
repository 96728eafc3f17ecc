/**
 * FFmpeg started on a plan before the probe (stream-early.ts), and the spare: one started before the
 * file's header is in, on the likeliest plan for a Matroska file (H.264 8-bit + AAC, copied), reading
 * through a source opened only once the header confirms that plan. A dynamically linked FFmpeg needs ~60 ms
 * of CPU to start (80–140 ms on a loaded machine); begun early, that start overlaps the wait for the first
 * piece, or for a cold torrent the wait for its metadata, when not even the file's name is known yet. A
 * wrong guess costs one FFmpeg start.
 */
import type { DataSource } from '../stream/data-source.js';
import { type DeferredSource, deferredSource } from '../stream/deferred-source.js';
import type { FfmpegTools } from '../stream/ffmpeg-locate.js';
import type { MediaInfo, MediaStream } from '../stream/media-info.js';
import { type Plan, type PlanRequest, planStream } from '../stream/plan.js';
import { ProgressiveStreamer } from '../stream/progressive-streamer.js';
import type { SeekableInputServer } from '../stream/seekable-input.js';
import { acquireAll } from './limiter.js';
import { type FfmpegLimits, limitersFor } from './services.js';

/** What starting FFmpeg on a plan needs. */
export interface StarterOptions {
  request: PlanRequest;
  tools: FfmpegTools;
  seekable: SeekableInputServer;
  limits: FfmpegLimits;
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

export type Spare = EarlyStream & { source: DeferredSource };

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

/** Whether a spare has anything to gain for `head`: a Matroska file not yet all on disk. */
export function spareFits(head: DataSource): boolean {
  return /\.mkv$/i.test(head.name) && !head.completePath?.();
}

/**
 * A spare on the likely plan for this request, reading `name` (of `size`, when the file is known yet); null
 * when that plan is direct, reads a seekable input, or no FFmpeg slot is free. Before the file is known, a
 * remux only: the spare holds its slot for as long as the metadata takes, and a transcode's (CPU-sized,
 * few) would keep other streams out meanwhile.
 */
export function startSpare(options: StarterOptions, name: string, size?: number): Spare | null {
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
  if (size === undefined && plan.mode === 'transcode') return null;
  const release = acquire(options.limits, plan);
  if (!release) return null;
  const source = deferredSource(name, size);
  const streamer = startStreamer(options, source, plan, info);
  return { info, settled: false, plan, source, streamer, release };
}

/** The limiter slots for `plan`, or null when none is free. */
export function acquire(limits: StarterOptions['limits'], plan: Plan): (() => void) | null {
  try {
    return acquireAll(...limitersFor(limits, plan.mode === 'transcode'));
  } catch {
    return null;
  }
}

export function startStreamer(options: StarterOptions, source: DataSource, plan: Plan, info: MediaInfo) {
  return ProgressiveStreamer.start({ source, plan, info, tools: options.tools, seekable: options.seekable });
}

/** Stops its FFmpeg, frees its slots and closes its source. */
export async function discard(early: EarlyStream): Promise<void> {
  try {
    await early.streamer.stop();
  } finally {
    early.release();
    await early.source.close();
  }
}
