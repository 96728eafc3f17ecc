/**
 * A subtitle file (its bytes, in any common charset) as cues: SubRip and ASS/SSA through FFmpeg's tolerant
 * parsers, WebVTT only through ours. Every step is incremental, so a big file never holds the event loop:
 * the text is decoded and parsed a slice at a time, and FFmpeg's output is parsed as it comes. Hostile
 * files (megabytes on one line keep FFmpeg busy for minutes) are the caller's to bound, through `signal`.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { abortError, throwIfAborted } from './abort.js';
import { bufferSource } from './data-source.js';
import { FfmpegJob } from './ffmpeg-job.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import { SubtitleError, srtOutput } from './subtitles.js';
import { type Cue, CueReader, fromSubRipMarkup } from './vtt.js';

export type SubtitleFileFormat = 'srt' | 'vtt' | 'ass' | 'ssa';

export interface SubtitleFileCues {
  cues: Cue[];
  /** The charset the file was read as. */
  encoding: string;
}

/** A subtitle file's cues, in file order; aborting `signal` stops the work (and FFmpeg) with an AbortError. */
export async function subtitleFileCues(
  bytes: Buffer,
  format: SubtitleFileFormat,
  tools: FfmpegTools,
  signal?: AbortSignal,
): Promise<SubtitleFileCues> {
  // chardet and iconv-lite are loaded by the first subtitle file, not by every server.
  const { decodeSubtitleChunks, detectSubtitleCharset } = await import('./subtitle-charset.js');
  const charset = detectSubtitleCharset(bytes);
  const text = decodeSubtitleChunks(bytes, charset);
  if (format === 'vtt') {
    const reader = new CueReader();
    const cues: Cue[] = [];
    for await (const chunk of text) {
      throwIfAborted(signal);
      append(cues, reader.push(chunk));
    }
    append(cues, reader.end());
    return { cues, encoding: charset.encoding };
  }
  const utf8: Buffer[] = [];
  for await (const chunk of text) {
    throwIfAborted(signal);
    utf8.push(Buffer.from(chunk, 'utf8'));
  }
  const cues = await viaFfmpeg(Buffer.concat(utf8), format, tools, signal);
  return { cues: cues.map(fromSubRipMarkup), encoding: charset.encoding };
}

/** UTF-8 SubRip or ASS/SSA through FFmpeg's parser, out as SubRip cues. */
async function viaFfmpeg(
  text: Buffer,
  format: Exclude<SubtitleFileFormat, 'vtt'>,
  tools: FfmpegTools,
  signal?: AbortSignal,
): Promise<Cue[]> {
  const demuxer = format === 'srt' ? 'srt' : 'ass';
  const job = FfmpegJob.start({
    binary: tools.ffmpeg,
    args: (input) => [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      demuxer,
      '-i',
      input,
      ...srtOutput('0:s:0'),
    ],
    input: { kind: 'pipe', source: bufferSource(text, format) },
    signal,
  });
  const [cues, result] = await Promise.all([cuesOf(job.output), job.done]);
  if (result.outcome === 'stopped') throw abortError(signal);
  if (result.outcome === 'failed') {
    const { stderr } = result;
    throw new SubtitleError(`FFmpeg could not read the ${format} file: ${stderr.at(-1) ?? ''}`, stderr);
  }
  return cues;
}

/** SubRip text as it comes, parsed a chunk at a time; what came before a cut when the output is cut. */
async function cuesOf(output: Readable): Promise<Cue[]> {
  const reader = new CueReader();
  const decoder = new StringDecoder('utf8');
  const cues: Cue[] = [];
  try {
    for await (const chunk of output) append(cues, reader.push(decoder.write(chunk as Buffer)));
  } catch {
    return cues; // cut: the job's result says why
  }
  append(cues, reader.push(decoder.end()));
  append(cues, reader.end());
  return cues;
}

function append(target: Cue[], cues: Cue[]): void {
  for (const cue of cues) target.push(cue);
}
