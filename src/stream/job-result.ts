/** How an FFmpeg job ended, and why it did not complete. */

export type JobErrorCode = 'FFMPEG_START' | 'PUMP_FAILED' | 'FFMPEG_FAILED' | 'NO_OUTPUT' | 'STOPPED';

/** Why a job did not complete; reaching HTTP, FFmpeg's failure is a bad gateway. */
export class StreamError extends Error {
  readonly statusCode = 502;
  constructor(
    readonly code: JobErrorCode,
    message: string,
    readonly stderr: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StreamError';
  }
}

export interface JobResult {
  outcome: 'complete' | 'stopped' | 'failed';
  error?: StreamError;
  /** FFmpeg's last stderr lines. */
  stderr: string[];
  /** Source bytes FFmpeg was given (piped or served; a whole file given as stdin counts once complete). */
  bytesIn: number;
  /** Bytes FFmpeg wrote to stdout. */
  bytesOut: number;
  exit: { code: number | null; signal: NodeJS.Signals | null };
  /** Time the pump spent waiting on the source. */
  stalledMs: number;
}
