/**
 * One FFmpeg (or ffprobe) run, whatever it is for: spawned without a shell, fed its input (the pump
 * writing stdin from byte 0, a complete file as stdin itself, the seekable input's URL, or nothing), its
 * stdout piped (or lent) into `output`, and stopped and reaped together with everything it started. `done`
 * says how it ended; it never rejects. The users (the streamer, subtitles, ffprobe, cover art) keep only
 * what is theirs: the command line and what to make of the output.
 */
import { closeSync } from 'node:fs';
import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { countingReads, type DataSource } from './data-source.js';
import { type FfmpegProcess, runFfmpeg } from './ffmpeg-runner.js';
import { type JobResult, StreamError } from './job-result.js';
import type { SeekableInputServer } from './seekable-input.js';
import { openStdoutSocket, type StdoutSocket } from './stdout-socket.js';
import { type PumpOptions, StreamPump } from './stream-pump.js';
import { openWholeFile } from './whole-file.js';

export { type JobErrorCode, type JobResult, StreamError } from './job-result.js';

export type JobInput =
  | { kind: 'none' }
  /**
   * The source from `pump.start` (default 0) into stdin, the pump being stdin's only writer; all of a
   * source complete on disk (`completePath`) is given as stdin itself, the kernel being the writer.
   */
  | { kind: 'pipe'; source: DataSource; pump?: Omit<PumpOptions, 'signal'> }
  /** The source at a loopback URL FFmpeg can seek, registered for as long as the job runs. */
  | { kind: 'seekable'; source: DataSource; server: SeekableInputServer | undefined };

export interface FfmpegJobOptions<Output extends Writable> {
  binary: string;
  /** The command line, given the input's address: `pipe:0`, or the seekable input's URL. */
  args: (input: string) => string[];
  input: JobInput;
  /** Where stdout goes; default a PassThrough. */
  output?: Output;
  /**
   * What a failure does to the output: `end` it after what FFmpeg wrote (default; the result says it
   * failed), or `destroy` it with the error, for a consumer that must not take it for complete.
   */
  failedOutput?: 'end' | 'destroy';
  /**
   * `reused`: stdout is read into one buffer, each chunk lent to `output` until its write callback (see
   * stdout-socket.ts), for an output done with a chunk by then; default `fresh`, a Buffer per read.
   */
  readBuffer?: 'fresh' | 'reused';
  /** Aborting stops the job. */
  signal?: AbortSignal;
}

export class FfmpegJob<Output extends Writable = PassThrough> {
  readonly output: Output;
  readonly done: Promise<JobResult>;
  readonly pump: StreamPump | null = null;
  #proc: FfmpegProcess | null = null;
  /** Ends the pump and the seekable registration: on stop, and once FFmpeg has exited. */
  readonly #abort = new AbortController();
  #stopped = false;
  #stopping: Promise<void> | null = null;
  /** Settles when stop() is called: nothing is waited for past that. */
  #stopRequested!: () => void;
  readonly #stopRequest = new Promise<void>((resolve) => {
    this.#stopRequested = resolve;
  });
  #bytesIn = 0;
  #bytesOut = 0;
  /** The size of the file given as stdin, if one was. */
  #wholeFile: number | null = null;
  #stdoutDone = Promise.resolve();

  private constructor(options: FfmpegJobOptions<Output>) {
    this.output = options.output ?? (new PassThrough() as unknown as Output);
    const { input } = options;
    let address = 'pipe:0';
    let env: Record<string, string> | undefined;
    if (input.kind === 'seekable') {
      if (!input.server) {
        const message = 'seeking (or an MP4 indexed at its end) needs a seekable input';
        this.done = this.#settle({ code: null, signal: null }, new StreamError('FFMPEG_START', message), []);
        return;
      }
      const counted = countingReads(input.source, (n) => {
        this.#bytesIn += n;
      });
      ({ url: address, env } = input.server.register(counted, this.#abort.signal));
    }
    // All of a file complete on disk goes in as stdin itself: still stdin, still in order, with the kernel
    // as the single writer and no copy through Node.
    const file = input.kind === 'pipe' ? openWholeFile(input.source, input.pump) : null;
    this.#wholeFile = file?.size ?? null;
    if (input.kind === 'pipe' && !file) {
      // FFmpeg exiting ends the pump too (through #abort): its stdin only reports the loss on the next
      // write, and the pump may be waiting on a torrent with no data to write.
      this.pump = new StreamPump(input.source, { ...input.pump, signal: this.#abort.signal });
    }
    // The consumer leaving (the output closed before its end) stops everything.
    this.output.on('close', () => {
      if (!this.output.writableFinished) void this.stop();
    });
    const onAbort = () => void this.stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // FFmpeg never ran: `done` says why (it never rejects).
    const abandon = (stdout: StdoutSocket | null, error: StreamError): Promise<JobResult> => {
      options.signal?.removeEventListener('abort', onAbort);
      this.#abort.abort(); // the seekable registration
      stdout?.reader.destroy();
      return this.#settle({ code: null, signal: null }, error, error.stderr);
    };
    const launch = (stdout: StdoutSocket | null): Promise<JobResult> => {
      let proc: FfmpegProcess;
      try {
        // Stopped while the stdout socket was being opened: FFmpeg never starts.
        if (this.#stopped) return abandon(stdout, new StreamError('STOPPED', 'the stream was stopped'));
        proc = runFfmpeg(options.binary, options.args(address), {
          stdinFd: file?.fd,
          env,
          stdout: stdout?.childEnd,
        });
      } catch (cause) {
        const message = `FFmpeg did not start: ${String(cause)}`;
        return abandon(stdout, new StreamError('FFMPEG_START', message, [], { cause }));
      } finally {
        if (file) closeSync(file.fd); // FFmpeg has its own copy (or was not started)
        stdout?.childEnd.destroy();
      }
      if (proc.pid < 0) {
        // No process (ENOENT; EMFILE, which also leaves it without pipes): the reason comes as its 'error'.
        return proc.exited.then(() => abandon(stdout, startFailed(proc.stderrTail())));
      }
      void proc.exited.then(() => options.signal?.removeEventListener('abort', onAbort));
      return this.#run(proc, stdout, options.failedOutput ?? 'end');
    };
    this.done =
      options.readBuffer === 'reused'
        ? openStdoutSocket()
            .catch(() => null) // an ordinary pipe then
            .then(launch)
        : launch(null);
    if (options.signal?.aborted) void this.stop();
  }

  get pid(): number {
    return this.#proc?.pid ?? -1;
  }

  static start<Output extends Writable = PassThrough>(options: FfmpegJobOptions<Output>): FfmpegJob<Output> {
    return new FfmpegJob(options);
  }

  /** Aborts the input, kills and reaps FFmpeg, destroys the output if unfinished. Idempotent. */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#stopRequested();
    this.#stopping ??= (async () => {
      this.#abort.abort();
      await this.#proc?.kill();
      if (!this.output.writableFinished) this.output.destroy();
      await this.done;
    })();
    return this.#stopping;
  }

  async #run(
    proc: FfmpegProcess,
    socket: StdoutSocket | null,
    failedOutput: 'end' | 'destroy',
  ): Promise<JobResult> {
    this.#proc = proc;
    void proc.exited.then(() => this.#abort.abort());
    const stdout = socket?.reader ?? proc.stdout!;
    const counted = (bytes: number) => {
      this.#bytesOut += bytes;
    };
    if (socket) socket.lendTo(this.output, counted);
    else stdout.on('data', (chunk: Buffer) => counted(chunk.length)).pipe(this.output, { end: false });
    // FFmpeg may exit while what it wrote still waits in the pipe for a slow consumer: the output ends
    // only after stdout has delivered everything (or the consumer is gone).
    this.#stdoutDone = new Promise<void>((resolve) => {
      stdout.once('close', resolve);
      this.output.once('close', resolve);
    });
    if (!this.pump) proc.stdin?.end();
    const feeding = this.pump && proc.stdin ? this.#feed(proc, proc.stdin, this.pump) : Promise.resolve(null);
    const drained = new Promise<void>((resolve) => {
      stdout.once('end', resolve);
      stdout.once('close', resolve);
    });
    const [pumpError, status] = await Promise.all([feeding, proc.exited]);
    // FFmpeg may exit with its last output still in the pipe, behind a consumer that has not pulled it
    // yet (an HLS encoder paused ahead of its viewers): the output ends only once stdout has.
    await Promise.race([drained, this.#stopRequest]);
    this.#abort.abort();
    if (!this.#stopped) await this.#stdoutDone;
    const stderr = proc.stderrTail();
    let error: StreamError | undefined;
    if (this.#stopped) error = new StreamError('STOPPED', 'the stream was stopped', stderr);
    else if (pumpError) error = pumpError;
    else if (status.code !== 0) {
      const how = status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
      error = new StreamError('FFMPEG_FAILED', `FFmpeg ${how}: ${stderr.at(-1) ?? ''}`, stderr);
    }
    if (!error && this.#wholeFile !== null) this.#bytesIn = this.#wholeFile;
    if (error && (this.#stopped || failedOutput === 'destroy')) {
      if (!this.output.writableFinished) this.output.destroy(this.#stopped ? undefined : error);
    } else if (!this.output.writableEnded) this.output.end();
    // Everything FFmpeg wrote has gone through the output (or the output was cut).
    await finished(this.output, { readable: false }).catch(() => undefined);
    stdout.destroy(); // read to its end, or nobody wants the rest
    return this.#settle(status, error, stderr);
  }

  async #settle(
    exit: JobResult['exit'],
    error: StreamError | undefined,
    stderr: string[],
  ): Promise<JobResult> {
    if (!this.#proc) this.output.destroy();
    const outcome = !error ? 'complete' : error.code === 'STOPPED' ? 'stopped' : 'failed';
    return {
      outcome,
      ...(error ? { error } : {}),
      stderr,
      bytesIn: this.pump?.bytesPumped ?? this.#bytesIn,
      bytesOut: this.#bytesOut,
      exit,
      stalledMs: this.pump?.stalledMs ?? 0,
    };
  }

  /** Pumps the source into stdin, ends stdin when done; a source failure kills FFmpeg. */
  async #feed(proc: FfmpegProcess, stdin: Writable, pump: StreamPump): Promise<StreamError | null> {
    const { outcome } = await pump.pumpTo(stdin);
    if (outcome === 'complete') {
      stdin.end();
      return null;
    }
    if (outcome === 'failed') {
      await proc.kill();
      const message = `reading the source failed: ${pump.lastError?.message ?? 'unknown error'}`;
      return new StreamError('PUMP_FAILED', message, proc.stderrTail(), { cause: pump.lastError });
    }
    // Aborted (stop), or FFmpeg closed its stdin (e.g. ffprobe had seen enough): the exit status tells.
    stdin.end();
    return null;
  }
}

const startFailed = (stderr: string[]) =>
  new StreamError('FFMPEG_START', stderr.at(-1) ?? 'FFmpeg did not start', stderr);
