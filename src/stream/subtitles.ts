/**
 * Subtitles as WebVTT. An embedded text stream is extracted by FFmpeg from the DataSource over the seekable
 * input: any container works (an MP4's mov_text with its index at the end too), and for a seeked stream
 * FFmpeg starts near `t` instead of reading the file from its first byte (for a torrent: the same pieces
 * the video is fetching). A subtitle file is decoded from its charset here; SubRip/ASS go through FFmpeg's
 * tolerant parsers, WebVTT only through ours. FFmpeg always writes SubRip, which ends every cue with a
 * blank line: each cue can leave as soon as FFmpeg writes it (WebVTT output only separates a cue when the
 * next begins).
 */
import { PassThrough } from 'node:stream';
import { abortError, drained } from './abort.js';
import type { DataSource } from './data-source.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import { collectText, type FfmpegProcess, runFfmpeg } from './ffmpeg-runner.js';
import type { SeekableInputServer } from './seekable-input.js';
import { decodeSubtitleBytes } from './subtitle-charset.js';
import {
  type Cue,
  CueReader,
  fromSubRipMarkup,
  parseCues,
  serializeCue,
  shiftCue,
  VTT_HEADER,
} from './vtt.js';

export { isImageSubtitle } from './image-subtitles.js';

/**
 * A seek starts FFmpeg this long before `t`, so a cue that began before `t` and is still showing is read
 * (and clipped); cues are never this long.
 */
export const SEEK_LEAD_IN_SECONDS = 30;

export class SubtitleError extends Error {
  constructor(
    message: string,
    readonly stderr: string[] = [],
  ) {
    super(message);
    this.name = 'SubtitleError';
  }
}

/** One subtitle stream out as SubRip on stdout, each cue flushed as soon as it is written. */
const srtOutput = (map: string) => ['-map', map, '-c:s', 'srt', '-flush_packets', '1', '-f', 'srt', 'pipe:1'];

export function embeddedSubtitleArgs(url: string, stream: number, startTime = 0): string[] {
  const seekTo = startTime - SEEK_LEAD_IN_SECONDS;
  // -copyts -start_at_zero: cue times on the file's own clock (minus its start time, like the video's),
  // not re-based on the seek point; the shift by `t` is ours, with clipping.
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-copyts', '-start_at_zero'];
  if (seekTo > 0) args.push('-ss', seekTo.toFixed(3));
  args.push('-i', url, ...srtOutput(`0:${stream}`));
  return args;
}

export interface EmbeddedSubtitleOptions {
  source: DataSource;
  tools: FfmpegTools;
  seekable: SeekableInputServer;
  /** The absolute stream index, as the probe lists it. */
  stream: number;
  /** Seconds: cues come this much earlier, for a stream started at source time `startTime`. */
  startTime?: number;
}

export interface SubtitleResult {
  outcome: 'complete' | 'stopped' | 'failed';
  cues: number;
  error?: SubtitleError;
}

/** One FFmpeg extracting one stream; `output` is the WebVTT text, header first, cues as they come. */
export class SubtitleExtractor {
  readonly output = new PassThrough();
  readonly done: Promise<SubtitleResult>;
  readonly pid: number;
  readonly #proc: FfmpegProcess;
  readonly #registration = new AbortController();
  #stopped = false;

  private constructor(options: EmbeddedSubtitleOptions) {
    const url = options.seekable.register(options.source, this.#registration.signal);
    const startTime = options.startTime ?? 0;
    this.#proc = runFfmpeg(options.tools.ffmpeg, embeddedSubtitleArgs(url, options.stream, startTime));
    this.pid = this.#proc.pid;
    this.output.write(VTT_HEADER);
    this.output.on('close', () => {
      if (!this.output.readableEnded) void this.stop();
    });
    this.done = this.#run(Math.round(startTime * 1000));
  }

  static start(options: EmbeddedSubtitleOptions): SubtitleExtractor {
    return new SubtitleExtractor(options);
  }

  /** Kills and reaps FFmpeg and ends the output. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#proc.kill();
    await this.done;
  }

  async #run(offsetMs: number): Promise<SubtitleResult> {
    const proc = this.#proc;
    let count = 0;
    const emit = async (cues: Cue[]) => {
      for (const raw of cues) {
        const cue = shiftCue(fromSubRipMarkup(raw), offsetMs);
        if (!cue || this.output.destroyed) continue;
        count++;
        if (!this.output.write(serializeCue(cue))) await drained(this.output);
      }
    };
    const reader = new CueReader();
    proc.stdout.setEncoding('utf8');
    try {
      for await (const chunk of proc.stdout as AsyncIterable<string>) await emit(reader.push(chunk));
    } catch {
      // stdout cut by a kill: the exit status below says what happened
    }
    await emit(reader.end());
    const status = await proc.exited;
    this.#registration.abort();
    if (this.#stopped) {
      if (!this.output.readableEnded) this.output.destroy();
      return { outcome: 'stopped', cues: count };
    }
    if (status.code !== 0) {
      const stderr = proc.stderrTail();
      const error = new SubtitleError(`FFmpeg failed: ${stderr.at(-1) ?? `exit ${status.code}`}`, stderr);
      this.output.destroy(error);
      return { outcome: 'failed', cues: count, error };
    }
    this.output.end();
    return { outcome: 'complete', cues: count };
  }
}

export type SubtitleFileFormat = 'srt' | 'vtt' | 'ass' | 'ssa';

/** A subtitle file's bytes (any common charset) as cues; SubRip and ASS/SSA through FFmpeg. */
export async function subtitleFileCues(
  bytes: Buffer,
  format: SubtitleFileFormat,
  tools: FfmpegTools,
  signal?: AbortSignal,
): Promise<{ cues: Cue[]; encoding: string }> {
  const { text, encoding } = decodeSubtitleBytes(bytes);
  if (format === 'vtt') return { cues: parseCues(text), encoding };
  const demuxer = format === 'srt' ? 'srt' : 'ass';
  const args = ['-hide_banner', '-loglevel', 'error', '-f', demuxer, '-i', 'pipe:0', ...srtOutput('0:s:0')];
  const proc = runFfmpeg(tools.ffmpeg, args);
  const kill = () => void proc.kill();
  signal?.addEventListener('abort', kill, { once: true });
  try {
    const output = collectText(proc.stdout);
    proc.stdin.end(text, 'utf8');
    const [status, srt] = await Promise.all([proc.exited, output]);
    if (signal?.aborted) throw abortError(signal);
    if (status.code !== 0) {
      const stderr = proc.stderrTail();
      throw new SubtitleError(`FFmpeg could not read the ${format} file: ${stderr.at(-1) ?? ''}`, stderr);
    }
    return { cues: parseCues(srt).map(fromSubRipMarkup), encoding };
  } finally {
    signal?.removeEventListener('abort', kill);
    await proc.kill();
  }
}
