/**
 * What a file holds, from ffprobe on its first megabytes: the head is pumped into ffprobe's stdin, so a
 * torrent only needs its first pieces (ffprobe stops reading once it knows the streams, usually within the
 * first few hundred kB). MP4s with the moov after mdat (and heads that give no duration) are
 * probed through the seekable input instead, since a pipe cannot reach the end of the file.
 */
import type { DataSource, OpenOptions } from './data-source.js';
import { type EbmlDocType, ebmlDocType } from './ebml.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import { probeHead, probeSeekable, type RawProbe, type RawStream } from './ffprobe-run.js';
import { findMoov, looksLikeMp4, majorBrand } from './mp4-boxes.js';
import type { SeekableInputServer } from './seekable-input.js';
import { type TsLayout, tsLayout, withoutServiceNames } from './ts-service-filter.js';

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
  /** Video: frames are reordered (B-frames), so a container without pts (AVI) cannot say their order. */
  hasBFrames?: boolean;
  /** Video: ffprobe's field_order, when the video is interlaced ('tt', 'bb', 'tb', 'bt'). */
  interlaced?: string;
  /** Video: bits per sample (8, 10, 12), when known; browsers differ on decoding H.264 above 8. */
  bitDepth?: number;
  /** Video: the container's codec tag (MP4's sample entry, e.g. `hvc1` or `hev1`), when it has one. */
  codecTag?: string;
  /** ffprobe's profile name ('High', 'Main 10', 'LC'…): HLS's CODECS of a copied stream need it. */
  profile?: string;
  /** ffprobe's level (H.264 level_idc, HEVC general_level_idc), when known. */
  level?: number;
  /** Video: frames per second, when the container says. */
  frameRate?: number;
}

export interface MediaInfo {
  /** 'mp4' | 'mov' | 'matroska' | 'webm' | 'avi' | 'mpegts' | 'mp3' | ... */
  container: string;
  /** ffprobe's format_name: the demuxer hint for pipe input. */
  formatName: string;
  duration: number | null;
  streams: MediaStream[];
  moovAtEnd: boolean;
  /**
   * Source time of the file's start (ffprobe's start_time; MPEG-TS often starts at 1.4 s): timelines that
   * begin at 0 (HLS playlists) are source time minus this.
   */
  startTime: number;
  /** MPEG-TS packet layout: FFmpeg's input goes through the SDT filter too (see ts-service-filter). */
  tsLayout?: TsLayout;
}

/** Nothing playable in the file: 415 when it reaches HTTP. */
export class NotMediaError extends Error {
  readonly code = 'NOT_MEDIA';
  readonly statusCode = 415;
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
  const headBytes = opts.headBytes ?? DEFAULT_HEAD_BYTES;
  // ffprobe starts while the head is still on its way (a torrent's first piece): starting it costs as long
  // as probing. The sniff below may want another probe (an MP4 indexed at its end, TS), which drops this one.
  const early = new AbortController();
  const earlySignal = signal ? AbortSignal.any([signal, early.signal]) : early.signal;
  const piped = probeHead(source, tools, headBytes, earlySignal);
  piped.catch(() => undefined);
  try {
    const sniff = await source.read(0, 64 * 1024, { signal });
    if (sniff.length === 0) throw new NotMediaError(`${source.name} is empty`);
    const isMp4 = looksLikeMp4(sniff);
    const moov = isMp4 ? await findMoov((o, l) => source.read(o, l, { signal }), source.size) : null;
    const moovAtEnd = moov === 'end';
    const layout = isMp4 ? null : tsLayout(sniff);
    if (moovAtEnd || layout) early.abort();
    const probed = layout ? withoutServiceNames(source, layout) : source;
    // A pipe cannot reach a moov at the end, nor (for TS and the like) a duration: then random access.
    let raw = moovAtEnd ? null : layout ? await probeHead(probed, tools, headBytes, signal) : await piped;
    if (!raw || formatDuration(raw) === null) {
      const viaSeek = await probeSeekable(probed, tools, opts.seekable, signal);
      if (viaSeek.ok || !raw) raw = viaSeek;
    }
    return mediaInfo(raw, source.name, sniff, moovAtEnd, layout);
  } finally {
    early.abort();
  }
}

function mediaInfo(
  raw: RawProbe,
  name: string,
  sniff: Buffer,
  moovAtEnd: boolean,
  layout: TsLayout | null,
): MediaInfo {
  if (!raw.ok) throw new NotMediaError(`${name}: ${raw.error || 'ffprobe found no media'}`);

  const streams = (raw.json.streams ?? []).map(toStream);
  if (!streams.some((s) => (s.type === 'video' && !s.attachedPic) || s.type === 'audio')) {
    throw new NotMediaError(`${name} has no audio or video stream`);
  }
  const formatName = raw.json.format?.format_name ?? 'unknown';
  const info: MediaInfo = {
    container: containerName(formatName, sniff, streams),
    formatName,
    duration: formatDuration(raw),
    streams,
    moovAtEnd,
    startTime: startTimeOf(raw),
  };
  if (layout) info.tsLayout = layout;
  return info;
}

function formatDuration(raw: RawProbe): number | null {
  const d = Number(raw.json.format?.duration);
  return raw.ok && Number.isFinite(d) && d > 0 ? d : null;
}

function startTimeOf(raw: RawProbe): number {
  const t = Number(raw.json.format?.start_time);
  return Number.isFinite(t) ? t : 0;
}

const TYPES = new Set(['video', 'audio', 'subtitle', 'data', 'attachment']);
/** ffprobe's field orders of interlaced video; 'progressive' and 'unknown' are left as they are. */
const INTERLACED = new Set(['tt', 'bb', 'tb', 'bt']);

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
  if ((s.has_b_frames ?? 0) > 0) stream.hasBFrames = true;
  if (s.field_order && INTERLACED.has(s.field_order)) stream.interlaced = s.field_order;
  if (s.profile && s.profile !== 'unknown') stream.profile = s.profile;
  if (Number.isInteger(s.level) && (s.level ?? -1) > 0) stream.level = s.level;
  const rate = stream.type === 'video' ? (frameRate(s.avg_frame_rate) ?? frameRate(s.r_frame_rate)) : null;
  if (rate !== null) stream.frameRate = rate;
  const depth = stream.type === 'video' && !stream.attachedPic ? bitDepth(s) : null;
  if (depth !== null) stream.bitDepth = depth;
  // Tags that are not four printable characters (ffprobe's "[0][0][0][0]" of MKV) say nothing.
  if (stream.type === 'video' && /^[\x21-\x7e]{4}$/.test(s.codec_tag_string ?? '')) {
    stream.codecTag = s.codec_tag_string;
  }
  return stream;
}

/** ffprobe's rational frame rate ('24000/1001'); '0/0' and absurd rates say nothing. */
function frameRate(text: string | undefined): number | null {
  const [num, den] = (text ?? '').split('/').map(Number);
  const rate = den ? num! / den : Number.NaN;
  return Number.isFinite(rate) && rate > 0 && rate <= 1000 ? Math.round(rate * 1000) / 1000 : null;
}

/**
 * From the pixel format's name (`yuv420p10le` is 10, `yuv420p` 8), else from bits_per_raw_sample, which
 * not every decoder fills in.
 */
function bitDepth(s: RawStream): number | null {
  const pixFmt = s.pix_fmt ?? '';
  const deep = /p(\d{1,2})(le|be)$/.exec(pixFmt);
  if (deep) return Number(deep[1]);
  if (/^(yuvj?4[0-4][0-4]p|nv12|nv21|gray)$/.test(pixFmt)) return 8;
  const raw = Number(s.bits_per_raw_sample);
  return Number.isInteger(raw) && raw > 0 ? raw : null;
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

/** What a probed file tells its source when opened: bytes per second of playback (its average bitrate). */
export function openOptions(info: MediaInfo, size: number): OpenOptions {
  return info.duration && info.duration > 0 && size > 0 ? { mediaBytesPerSecond: size / info.duration } : {};
}
