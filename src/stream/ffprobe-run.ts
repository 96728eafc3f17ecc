/**
 * Running ffprobe for media-info: over stdin fed the source's head, or over the seekable input's URL when
 * the answer is not in the head. Returns ffprobe's JSON as it is; media-info interprets it.
 */
import { abortError } from './abort.js';
import type { DataSource } from './data-source.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import { collectText, type FfmpegProcess, runFfmpeg } from './ffmpeg-runner.js';
import { SeekableInputServer } from './seekable-input.js';
import { StreamPump } from './stream-pump.js';

export interface RawStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  channels?: number;
  width?: number;
  height?: number;
  has_b_frames?: number;
  field_order?: string;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
}

export interface RawProbe {
  ok: boolean;
  error: string;
  json: { format?: { format_name?: string; duration?: string }; streams?: RawStream[] };
}

const PROBE_ARGS = ['-hide_banner', '-v', 'error', '-show_format', '-show_streams', '-of', 'json'];

/** ffprobe over stdin, fed the first `headBytes` of the source and then EOF. */
export function probeHead(source: DataSource, tools: FfmpegTools, headBytes: number, signal?: AbortSignal) {
  return runProbe(tools, 'pipe:0', signal, async (proc) => {
    const pump = new StreamPump(source, { end: headBytes, signal });
    const { outcome } = await pump.pumpTo(proc.stdin);
    if (outcome === 'failed' || outcome === 'aborted') throw pump.lastError ?? abortError(signal);
    proc.stdin.end(); // 'reader-closed' is fine too: ffprobe had seen enough
  });
}

/** ffprobe over the seekable input (the given server, or a temporary one), for random access. */
export async function probeSeekable(
  source: DataSource,
  tools: FfmpegTools,
  seekable: SeekableInputServer | undefined,
  signal?: AbortSignal,
): Promise<RawProbe> {
  const server = seekable ?? (await SeekableInputServer.start());
  const registration = new AbortController();
  const stop = () => registration.abort();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const url = server.register(source, registration.signal);
    return await runProbe(tools, url, signal, async (proc) => void proc.stdin.end());
  } finally {
    signal?.removeEventListener('abort', stop);
    registration.abort();
    if (!seekable) await server.close();
  }
}

async function runProbe(
  tools: FfmpegTools,
  input: string,
  signal: AbortSignal | undefined,
  feed: (proc: FfmpegProcess) => Promise<void>,
): Promise<RawProbe> {
  if (signal?.aborted) throw abortError(signal);
  const proc = runFfmpeg(tools.ffprobe, [...PROBE_ARGS, '-i', input]);
  const output = collectText(proc.stdout);
  const kill = () => void proc.kill();
  signal?.addEventListener('abort', kill, { once: true });
  try {
    await feed(proc);
    const { code } = await proc.exited;
    if (signal?.aborted) throw abortError(signal);
    return parse(code, await output, proc.stderrTail());
  } finally {
    signal?.removeEventListener('abort', kill);
    await proc.kill();
  }
}

function parse(code: number | null, stdout: string, stderr: string[]): RawProbe {
  let json: RawProbe['json'] = {};
  try {
    json = JSON.parse(stdout || '{}') as RawProbe['json'];
  } catch {}
  return { ok: code === 0 && Array.isArray(json.streams), error: stderr.join('\n'), json };
}
