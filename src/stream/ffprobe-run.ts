/**
 * Running ffprobe for media-info: over stdin fed the source's head, or over the seekable input's URL when
 * the answer is not in the head. Returns ffprobe's JSON as it is; media-info interprets it.
 */
import { abortError, throwIfAborted } from './abort.js';
import type { DataSource } from './data-source.js';
import { FfmpegJob, type JobInput } from './ffmpeg-job.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import { collectText } from './ffmpeg-runner.js';
import { SeekableInputServer } from './seekable-input.js';

export interface RawStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  channels?: number;
  width?: number;
  height?: number;
  has_b_frames?: number;
  field_order?: string;
  pix_fmt?: string;
  codec_tag_string?: string;
  bits_per_raw_sample?: string;
  profile?: string;
  level?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
}

export interface RawProbe {
  ok: boolean;
  error: string;
  json: { format?: { format_name?: string; duration?: string; start_time?: string }; streams?: RawStream[] };
}

const PROBE_ARGS = ['-hide_banner', '-v', 'error', '-show_format', '-show_streams', '-of', 'json'];

/** ffprobe over stdin, fed the first `headBytes` of the source and then EOF. */
export function probeHead(source: DataSource, tools: FfmpegTools, headBytes: number, signal?: AbortSignal) {
  return runProbe(tools, { kind: 'pipe', source, pump: { end: headBytes } }, signal);
}

/** ffprobe over the seekable input (the given server, or a temporary one), for random access. */
export async function probeSeekable(
  source: DataSource,
  tools: FfmpegTools,
  seekable: SeekableInputServer | undefined,
  signal?: AbortSignal,
): Promise<RawProbe> {
  const server = seekable ?? (await SeekableInputServer.start());
  try {
    return await runProbe(tools, { kind: 'seekable', source, server }, signal);
  } finally {
    if (!seekable) await server.close();
  }
}

async function runProbe(tools: FfmpegTools, input: JobInput, signal?: AbortSignal): Promise<RawProbe> {
  throwIfAborted(signal);
  const job = FfmpegJob.start({
    binary: tools.ffprobe,
    args: (address) => [...PROBE_ARGS, '-i', address],
    input,
    signal,
  });
  const [stdout, result] = await Promise.all([collectText(job.output), job.done]);
  if (result.outcome === 'stopped') throw abortError(signal);
  // The source failing is not ffprobe's verdict on the media: the caller gets the source's error.
  if (result.error?.code === 'PUMP_FAILED') throw result.error.cause;
  return parse(result.exit.code, stdout, result.stderr);
}

function parse(code: number | null, stdout: string, stderr: string[]): RawProbe {
  let json: RawProbe['json'] = {};
  try {
    json = JSON.parse(stdout || '{}') as RawProbe['json'];
  } catch {}
  return { ok: code === 0 && Array.isArray(json.streams), error: stderr.join('\n'), json };
}
