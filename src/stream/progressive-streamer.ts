/**
 * A thin coordinator: executes a Plan as one FFmpeg job (the pump writing its stdin, or the
 * seekable input for seeks and moov-at-end MP4s) whose stdout, watched for the init segment, goes to the
 * destination given to `sendTo`. Everything stops together: the output or its destination going away,
 * stop(), or FFmpeg exiting.
 */
import type { Writable } from 'node:stream';
import type { DataSource } from './data-source.js';
import { buildFfmpegArgs } from './ffmpeg-args.js';
import { FfmpegJob, type JobResult, StreamError } from './ffmpeg-job.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import { InitSegmentWatcher } from './init-segment.js';
import type { MediaInfo } from './media-info.js';
import type { Plan } from './plan.js';
import type { SeekableInputServer } from './seekable-input.js';
import type { StreamPump } from './stream-pump.js';
import { withoutServiceNames } from './ts-service-filter.js';

export { StreamError } from './ffmpeg-job.js';

export interface StreamerOptions {
  source: DataSource;
  plan: Plan;
  info: MediaInfo;
  tools: FfmpegTools;
  /** Where FFmpeg reads a plan whose input is seekable. */
  seekable?: SeekableInputServer;
}

export type StreamResult = JobResult;

/**
 * Bytes left queued in FFmpeg's stdin while the next chunk is read: FFmpeg stays fed instead of idling on
 * an empty pipe after every chunk.
 */
export const STDIN_QUEUE_BYTES = 1024 * 1024;

export class ProgressiveStreamer {
  /** Where FFmpeg's stdout goes; destroying it stops everything. */
  readonly output: Writable;
  /** Resolves once the init segment is out; rejects with the StreamError when the job ends first. */
  readonly ready: Promise<void>;
  readonly done: Promise<StreamResult>;
  readonly #job: FfmpegJob<InitSegmentWatcher>;
  readonly #watcher: InitSegmentWatcher;

  private constructor({ source, plan, info, tools, seekable }: StreamerOptions) {
    const input = info.tsLayout ? withoutServiceNames(source, info.tsLayout) : source;
    const watcher = new InitSegmentWatcher();
    watcher.on('error', () => undefined); // what went wrong is in `done` (and `ready`)
    this.output = this.#watcher = watcher;
    this.#job = FfmpegJob.start({
      binary: tools.ffmpeg,
      args: (address) => buildFfmpegArgs(plan, address),
      input:
        plan.input.kind === 'pipe'
          ? { kind: 'pipe', source: input, pump: { queueBytes: STDIN_QUEUE_BYTES } }
          : { kind: 'seekable', source: input, server: seekable },
      output: watcher,
      // The watcher holds a chunk until the destination's write callback: a Buffer per read is not needed.
      readBuffer: 'reused',
    });
    this.done = this.#job.done.then((result) => {
      if (result.outcome !== 'complete' || watcher.firstMoofOffset !== null) return result;
      const error = new StreamError('NO_OUTPUT', 'FFmpeg exited without writing any media', result.stderr);
      return { ...result, outcome: 'failed', error };
    });
    this.ready = new Promise<void>((resolve, reject) => {
      watcher.init.then(
        () => resolve(),
        () => undefined,
      );
      void this.done.then((result) => {
        reject(result.error ?? new StreamError('NO_OUTPUT', 'FFmpeg ended without an init segment'));
      });
    });
    this.ready.catch(() => undefined); // not every caller waits for ready
  }

  static start(options: StreamerOptions): ProgressiveStreamer {
    return new ProgressiveStreamer(options);
  }

  get pid(): number {
    return this.#job.pid;
  }

  /**
   * All of the output, from its first byte, goes to `destination` (each chunk counted as out once the
   * destination's write callback fires); `fragmentSent` is called once the first fragment (moof), from
   * which on what is out plays, has begun to go out. The caller ends the destination.
   */
  sendTo(destination: Writable, fragmentSent?: () => void): void {
    this.#watcher.sendTo(destination, fragmentSent);
  }

  /** The pump feeding FFmpeg's stdin; null when FFmpeg reads the seekable input. */
  get pump(): StreamPump | null {
    return this.#job.pump;
  }

  /** Aborts the pump, kills and reaps FFmpeg, ends the output. Idempotent. */
  async stop(): Promise<void> {
    await this.#job.stop();
    await this.done;
  }
}
