/**
 * What a file holds, from ffprobe on its first megabytes: the head is pumped into ffprobe's stdin, so a
 * torrent only needs its first pieces. MP4s with the moov after mdat (and heads that give no duration) are
 * probed through the seekable input instead, since a pipe cannot reach the end of the file.
 */
import type { DataSource } from './data-source.js';
import { type EbmlDocType, ebmlDocType } from './ebml.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import { runFfmpeg } from './ffmpeg-runner.js';
import { findMoov, looksLikeMp4, majorBrand } from './mp4-boxes.js';
import { SeekableInputServer } from './seekable-input.js';
import { StreamPump } from './stream-pump.js';

export interface MediaStream {
  index: number;
  type: 'video' | 'audio' | 'subtitle' | 'data' | 'attachment';
  codec: string;
  language: string | null;
  title: string | null;
  channels?: number;
  width?: number;
  height?: number;
  default: boolean;
  forced: boolean;
  /** A cover picture (MP3/M4A/MKV art): shows up as a video stream but is not the video. */
  attachedPic?: boolean;
}

export interface MediaInfo {
  /** 'mp4' | 'mov' | 'matroska' | 'webm' | 'avi' | 'mpegts' | 'mp3' | ... */
  container: string;
  /** ffprobe's format_name: the demuxer hint for pipe input. */
  formatName: string;
  duration: number | null;
  streams: MediaStream[];
  moovAtEnd: boolean;
}

export class NotMediaError extends Error {
  readonly code = 'NOT_MEDIA';
  constructor(message: string) {
    super(message);
    this.name = 'NotMediaError';
  }
}

/** Enough for MKV/AVI/WebM/TS headers and a few packets, small enough to come early from a torrent. */
export const DEFAULT_HEAD_BYTES = 2 * 1024 * 1024;

export async function probeSource(
  source: DataSource,
  tools: FfmpegTools,
  opts: { signal?: AbortSignal; headBytes?: number; seekable?: SeekableInputServer } = {},
): Promise<MediaInfo> {
  const { signal } = opts;
  const sniff = await source.read(0, 64 * 1024, { signal });
  if (sniff.length === 0) throw new NotMediaError(`${source.name} is empty`);
  const isMp4 = looksLikeMp4(sniff);
  const moov = isMp4 ? await findMoov((o, l) => source.read(o, l, { signal }), source.size) : null;
  const moovAtEnd = moov === 'end';

  let raw = moovAtEnd ? null : await probePipe(source, tools, opts.headBytes ?? DEFAULT_HEAD_BYTES, signal);
  if (!raw || formatDuration(raw) === null) {
    const viaSeek = await withSeekableUrl(source, opts.seekable, signal, (url) =>
      runProbe(tools, url, signal),
    );
    if (viaSeek.ok || !raw) raw = viaSeek;
  }
  if (!raw.ok) throw new NotMediaError(`${source.name}: ${raw.error || 'ffprobe found no media'}`);

  const streams = (raw.json.streams ?? []).map(toStream);
  if (!streams.some((s) => (s.type === 'video' && !s.attachedPic) || s.type === 'audio')) {
    throw new NotMediaError(`${source.name} has no audio or video stream`);
  }
  const formatName = raw.json.format?.format_name ?? 'unknown';
  return {
    container: containerName(formatName, sniff, streams),
    formatName,
    duration: formatDuration(raw),
    streams,
    moovAtEnd,
  };
}

interface RawProbe {
  ok: boolean;
  error: string;
  json: { format?: { format_name?: string; duration?: string }; streams?: RawStream[] };
}

interface RawStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  channels?: number;
  width?: number;
  height?: number;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
}

const PROBE_ARGS = ['-hide_banner', '-v', 'error', '-show_format', '-show_streams', '-of', 'json'];

/** ffprobe over stdin, fed the first `headBytes` of the source and then EOF. */
async function probePipe(source: DataSource, tools: FfmpegTools, headBytes: number, signal?: AbortSignal) {
  const proc = runFfmpeg(tools.ffprobe, [...PROBE_ARGS, '-i', 'pipe:0']);
  const output = collect(proc.stdout);
  const kill = () => void proc.kill();
  signal?.addEventListener('abort', kill, { once: true });
  try {
    const pump = new StreamPump(source, { end: headBytes, signal });
    const { outcome } = await pump.pumpTo(proc.stdin);
    if (outcome === 'failed' || outcome === 'aborted') throw pump.lastError ?? abortReason(signal);
    proc.stdin.end();
    const { code } = await proc.exited;
    if (signal?.aborted) throw abortReason(signal);
    return parseProbe(code, await output, proc.stderrTail());
  } finally {
    signal?.removeEventListener('abort', kill);
    await proc.kill();
  }
}

async function runProbe(tools: FfmpegTools, url: string, signal?: AbortSignal): Promise<RawProbe> {
  const proc = runFfmpeg(tools.ffprobe, [...PROBE_ARGS, '-i', url]);
  proc.stdin.end();
  const output = collect(proc.stdout);
  const kill = () => void proc.kill();
  signal?.addEventListener('abort', kill, { once: true });
  try {
    const { code } = await proc.exited;
    if (signal?.aborted) throw abortReason(signal);
    return parseProbe(code, await output, proc.stderrTail());
  } finally {
    signal?.removeEventListener('abort', kill);
    await proc.kill();
  }
}

/** Registers the source on the given (or a temporary) seekable server for the duration of `fn`. */
async function withSeekableUrl<T>(
  source: DataSource,
  seekable: SeekableInputServer | undefined,
  signal: AbortSignal | undefined,
  fn: (url: string) => Promise<T>,
): Promise<T> {
  const server = seekable ?? (await SeekableInputServer.start());
  const registration = new AbortController();
  const stop = () => registration.abort();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    return await fn(server.register(source, registration.signal));
  } finally {
    signal?.removeEventListener('abort', stop);
    registration.abort();
    if (!seekable) await server.close();
  }
}

function parseProbe(code: number | null, stdout: string, stderr: string[]): RawProbe {
  let json: RawProbe['json'] = {};
  try {
    json = JSON.parse(stdout || '{}') as RawProbe['json'];
  } catch {}
  const ok = code === 0 && Array.isArray(json.streams);
  return { ok, error: stderr.join('\n'), json };
}

function formatDuration(raw: RawProbe): number | null {
  const d = Number(raw.json.format?.duration);
  return raw.ok && Number.isFinite(d) && d > 0 ? d : null;
}

const TYPES = new Set(['video', 'audio', 'subtitle', 'data', 'attachment']);

function toStream(s: RawStream): MediaStream {
  const tags = Object.fromEntries(Object.entries(s.tags ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const language = tags.language && tags.language !== 'und' ? tags.language : null;
  const stream: MediaStream = {
    index: s.index,
    type: (TYPES.has(s.codec_type ?? '') ? s.codec_type : 'data') as MediaStream['type'],
    codec: s.codec_name ?? 'unknown',
    language,
    title: tags.title ?? null,
    default: s.disposition?.default === 1,
    forced: s.disposition?.forced === 1,
  };
  if (s.channels !== undefined) stream.channels = s.channels;
  if (s.width !== undefined) stream.width = s.width;
  if (s.height !== undefined) stream.height = s.height;
  if (s.disposition?.attached_pic === 1) stream.attachedPic = true;
  return stream;
}

/** A short container name from ffprobe's demuxer list, told apart by the file's own header where needed. */
function containerName(formatName: string, head: Buffer, streams: MediaStream[]): string {
  if (formatName.startsWith('mov,mp4')) return majorBrand(head) === 'qt  ' ? 'mov' : 'mp4';
  if (formatName === 'matroska,webm') {
    const doctype: EbmlDocType | null = ebmlDocType(head);
    if (doctype) return doctype;
    const webmCodecs = new Set(['vp8', 'vp9', 'av1', 'vorbis', 'opus']);
    const media = streams.filter((s) => s.type === 'video' || s.type === 'audio');
    return media.every((s) => webmCodecs.has(s.codec)) ? 'webm' : 'matroska';
  }
  return formatName.split(',')[0] ?? formatName;
}

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function abortReason(signal?: AbortSignal): Error {
  const reason = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('The probe was aborted', 'AbortError');
}
