/**
 * Subtitles as WebVTT. An embedded text stream is extracted by FFmpeg from the DataSource over the seekable
 * input: any container works (an MP4's mov_text with its index at the end too), and for a seeked stream
 * FFmpeg starts near `t` instead of reading the file from its first byte (for a torrent: the same pieces
 * the video is fetching). Subtitle files are subtitle-file.ts's. FFmpeg always writes SubRip, which ends
 * every cue with a blank line: each cue can leave as soon as FFmpeg writes it (WebVTT output only
 * separates a cue when the next begins).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { DataSource } from './data-source.js';
import { FfmpegJob } from './ffmpeg-job.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import type { SeekableInputServer } from './seekable-input.js';
import { type Cue, CueReader, fromSubRipMarkup, serializeCue, shiftCue, VTT_HEADER } from './vtt.js';

export { isImageSubtitle } from './image-subtitles.js';

/**
 * A seek starts FFmpeg this long before `t`, so a cue that began before `t` and is still showing is read
 * (and clipped); cues are never this long.
 */
export const SEEK_LEAD_IN_SECONDS = 30;

/** FFmpeg could not read the subtitles: the file's fault, so 422 when it reaches HTTP. */
export class SubtitleError extends Error {
  readonly statusCode = 422;
  constructor(
    message: string,
    readonly stderr: string[] = [],
  ) {
    super(message);
    this.name = 'SubtitleError';
  }
}

/** One subtitle stream out as SubRip on stdout, each cue flushed as soon as it is written. */
export const srtOutput = (map: string) => [
  '-map',
  map,
  '-c:s',
  'srt',
  '-flush_packets',
  '1',
  '-f',
  'srt',
  'pipe:1',
];

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
  readonly output: SrtToVtt;
  readonly done: Promise<SubtitleResult>;
  readonly #job: FfmpegJob<SrtToVtt>;

  private constructor(options: EmbeddedSubtitleOptions) {
    const startTime = options.startTime ?? 0;
    this.output = new SrtToVtt(Math.round(startTime * 1000));
    this.#job = FfmpegJob.start({
      binary: options.tools.ffmpeg,
      args: (url) => embeddedSubtitleArgs(url, options.stream, startTime),
      input: { kind: 'seekable', source: options.source, server: options.seekable },
      output: this.output,
      // A failed extraction must not pass for a complete track.
      failedOutput: 'destroy',
    });
    this.done = this.#job.done.then(({ outcome, stderr, exit }) => {
      const cues = this.output.cues;
      if (outcome !== 'failed') return { outcome, cues };
      const reason = stderr.at(-1) ?? `exit ${exit.code}`;
      return { outcome, cues, error: new SubtitleError(`FFmpeg failed: ${reason}`, stderr) };
    });
  }

  static start(options: EmbeddedSubtitleOptions): SubtitleExtractor {
    return new SubtitleExtractor(options);
  }

  get pid(): number {
    return this.#job.pid;
  }

  /** Kills and reaps FFmpeg and ends the output. Idempotent. */
  async stop(): Promise<void> {
    await this.#job.stop();
    await this.done;
  }
}

/** FFmpeg's SubRip in, WebVTT out: the header first, then each cue shifted by `offsetMs` as it completes. */
class SrtToVtt extends Transform {
  cues = 0;
  readonly #reader = new CueReader();
  readonly #decoder = new StringDecoder('utf8');

  constructor(private readonly offsetMs: number) {
    super();
    this.push(VTT_HEADER);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.#emit(this.#reader.push(this.#decoder.write(chunk)));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.#emit(this.#reader.push(this.#decoder.end()));
    this.#emit(this.#reader.end());
    callback();
  }

  #emit(cues: Cue[]): void {
    for (const raw of cues) {
      const cue = shiftCue(fromSubRipMarkup(raw), this.offsetMs);
      if (!cue) continue;
      this.cues++;
      this.push(serializeCue(cue));
    }
  }
}
