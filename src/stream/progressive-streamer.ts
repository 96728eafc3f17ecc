/**
 * The seed's thin coordinator: FFmpeg reads the source (the pump writing its stdin, or the seekable input
 * for seeks / moov-at-end MP4s) and its stdout, watched for the init segment, is the output. Everything
 * stops together: the output going away, stop(), or FFmpeg exiting; no FFmpeg outlives the streamer.
 */
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { DataSource } from './data-source.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import { buildFfmpegArgs, type FfmpegProcess, runFfmpeg } from './ffmpeg-runner.js';
import { InitSegmentWatcher } from './init-segment.js';
import type { MediaInfo } from './media-info.js';
import type { Plan } from './plan.js';
import type { SeekableInputServer } from './seekable-input.js';
import { StreamPump } from './stream-pump.js';
import { withoutServiceNames } from './ts-service-filter.js';

export interface StreamerOptions {
  source: DataSource;
  plan: Plan;
  info: MediaInfo;
  tools: FfmpegTools;
  startTime?: number;
  seekable?: SeekableInputServer;
  stallAfterMs?: number;
  onStall?: (stalled: boolean) => void;
}

/** STOPPED (an addition to the brief's codes): `ready` rejects with it when stop() comes before the init segment. */
export type StreamErrorCode = 'FFMPEG_START' | 'PUMP_FAILED' | 'FFMPEG_FAILED' | 'NO_OUTPUT' | 'STOPPED';

export class StreamError extends Error {
  constructor(
    readonly code: StreamErrorCode,
    message: string,
    readonly stderr: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StreamError';
  }
}

export interface StreamResult {
  outcome: 'complete' | 'stopped' | 'failed';
  error?: StreamError;
  bytesIn: number;
  bytesOut: number;
  stalledMs: number;
}

/**
 * Bytes left queued in FFmpeg's stdin while the next chunk is read: FFmpeg stays fed instead of idling on an
 * empty pipe after every chunk (a remux from disk took 0.25 s instead of 0.34 s per 270 MB; bench/).
 */
export const STDIN_QUEUE_BYTES = 1024 * 1024;

export class ProgressiveStreamer {
  readonly output: Readable;
  readonly ready: Promise<void>;
  readonly done: Promise<StreamResult>;
  readonly pump: StreamPump | null;
  readonly pid: number;
  readonly #proc: FfmpegProcess | null;
  readonly #abort = new AbortController();
  readonly #exited = new AbortController();
  readonly #watcher: InitSegmentWatcher;
  #stopped = false;
  #stopping: Promise<void> | null = null;

  private constructor(options: StreamerOptions) {
    const { plan, info, tools } = options;
    const source = info.tsLayout ? withoutServiceNames(options.source, info.tsLayout) : options.source;
    const startTime = options.startTime ?? 0;
    const usePipe = startTime <= 0 && !plan.seekableInput;
    let bytesIn = 0;
    this.#watcher = new InitSegmentWatcher();
    this.output = this.#watcher;

    let url: string | undefined;
    if (!usePipe && options.seekable) {
      // Counted here, since FFmpeg reads the source itself over HTTP.
      const counting: DataSource = {
        size: source.size,
        name: source.name,
        read: async (offset, length, readOptions) => {
          const bytes = await source.read(offset, length, readOptions);
          bytesIn += bytes.length;
          return bytes;
        },
        close: () => source.close(),
      };
      url = options.seekable.register(counting, this.#abort.signal);
    }
    if (!usePipe && !url) {
      this.#proc = null;
      this.pump = null;
      this.pid = -1;
      const error = new StreamError(
        'FFMPEG_START',
        'seeking (or an MP4 indexed at its end) needs a seekable input',
      );
      this.done = Promise.resolve({ outcome: 'failed', error, bytesIn: 0, bytesOut: 0, stalledMs: 0 });
      this.#watcher.destroy();
    } else {
      const args = buildFfmpegArgs(plan, usePipe ? { format: info.formatName } : { url, startTime });
      const proc = runFfmpeg(tools.ffmpeg, args);
      this.#proc = proc;
      this.pid = proc.pid;
      void proc.exited.then(() => this.#exited.abort());
      proc.stdout.pipe(this.#watcher);
      // The consumer leaving (output destroyed before its end) stops everything.
      this.#watcher.on('close', () => {
        if (!this.#watcher.readableEnded) void this.stop();
      });
      this.pump = usePipe
        ? new StreamPump(source, {
            // FFmpeg exiting ends the pump too: its stdin only reports the loss on the next write, and the
            // pump may be waiting on a torrent with no data to write.
            signal: AbortSignal.any([this.#abort.signal, this.#exited.signal]),
            queueBytes: STDIN_QUEUE_BYTES,
            stallAfterMs: options.stallAfterMs,
            onStall: options.onStall,
          })
        : null;
      this.done = this.#run(proc, () => this.pump?.bytesPumped ?? bytesIn);
    }
    this.ready = new Promise<void>((resolve, reject) => {
      this.#watcher.init.then(
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

  /** Aborts the pump, kills and reaps FFmpeg, ends the output. Idempotent. */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping ??= (async () => {
      this.#abort.abort();
      await this.#proc?.kill();
      if (!this.#watcher.readableEnded) this.#watcher.destroy();
      await this.done;
    })();
    return this.#stopping;
  }

  async #run(proc: FfmpegProcess, bytesIn: () => number): Promise<StreamResult> {
    const pumping = this.pump ? this.#feed(proc, this.pump) : Promise.resolve(null);
    const [pumpError, status] = await Promise.all([pumping, proc.exited]);
    // Everything FFmpeg wrote has gone through the watcher (or the output was cut).
    await finished(this.#watcher, { readable: false }).catch(() => undefined);
    const result = (outcome: StreamResult['outcome'], error?: StreamError): StreamResult => ({
      outcome,
      ...(error ? { error } : {}),
      bytesIn: bytesIn(),
      bytesOut: this.#watcher.bytes,
      stalledMs: this.pump?.stalledMs ?? 0,
    });
    const stderr = proc.stderrTail();
    if (this.#stopped) {
      return result('stopped', new StreamError('STOPPED', 'the stream was stopped', stderr));
    }
    if (pumpError) return result('failed', pumpError);
    if (proc.pid < 0) {
      return result(
        'failed',
        new StreamError('FFMPEG_START', stderr.at(-1) ?? 'FFmpeg did not start', stderr),
      );
    }
    if (status.code !== 0) {
      const how = status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
      return result(
        'failed',
        new StreamError('FFMPEG_FAILED', `FFmpeg ${how}: ${stderr.at(-1) ?? ''}`, stderr),
      );
    }
    if (this.#watcher.firstMoofOffset === null) {
      return result(
        'failed',
        new StreamError('NO_OUTPUT', 'FFmpeg exited without writing any media', stderr),
      );
    }
    return result('complete');
  }

  /** Pumps the source into stdin (the only writer), ends stdin when done; a source failure kills FFmpeg. */
  async #feed(proc: FfmpegProcess, pump: StreamPump): Promise<StreamError | null> {
    const { outcome } = await pump.pumpTo(proc.stdin);
    if (outcome === 'complete') {
      proc.stdin.end();
      return null;
    }
    if (outcome === 'failed') {
      await proc.kill();
      const message = `reading the source failed: ${pump.lastError?.message ?? 'unknown error'}`;
      return new StreamError('PUMP_FAILED', message, proc.stderrTail(), { cause: pump.lastError });
    }
    return null; // aborted (stop) or FFmpeg closed its stdin: its exit status tells the rest
  }
}
