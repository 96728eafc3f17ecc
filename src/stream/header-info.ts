/**
 * A first MediaInfo from the container's own header, before ffprobe: what a stream's plan needs (the
 * streams in FFmpeg's order, their codecs and flags, the duration) and nothing else. Matroska/WebM only,
 * whose Tracks are at the head; null for anything else, or whenever the header leaves a doubt about what
 * ffprobe would say (a codec not known here, a track FFmpeg might skip, H.264 of unknown bit depth). Never
 * the final word: ffprobe's MediaInfo replaces it, and a plan made from it is kept only if the probe's
 * plan is the same.
 */
import type { DataSource } from './data-source.js';
import { ebmlDocType } from './ebml.js';
import type { MediaInfo, MediaStream } from './media-info.js';
import { type MkvTrack, readMkvHeader } from './mkv-tracks.js';
import { RAMP_CHUNK } from './stream-pump.js';

/** Matroska CodecIDs (prefixes for the A_AAC/… family) → FFmpeg's codec names. */
const MKV_CODECS: Array<[string, string]> = [
  ['V_MPEG4/ISO/AVC', 'h264'],
  ['V_MPEGH/ISO/HEVC', 'hevc'],
  ['V_AV1', 'av1'],
  ['V_VP9', 'vp9'],
  ['V_VP8', 'vp8'],
  ['V_MPEG4/ISO/', 'mpeg4'],
  ['V_MPEG2', 'mpeg2video'],
  ['V_MPEG1', 'mpeg1video'],
  ['A_AAC', 'aac'],
  ['A_MPEG/L3', 'mp3'],
  ['A_MPEG/L2', 'mp2'],
  ['A_AC3', 'ac3'],
  ['A_EAC3', 'eac3'],
  ['A_DTS', 'dts'],
  ['A_TRUEHD', 'truehd'],
  ['A_OPUS', 'opus'],
  ['A_VORBIS', 'vorbis'],
  ['A_FLAC', 'flac'],
];

/** Matroska TrackType → stream type: 1 video, 2 audio, 0x11 subtitle. */
const TYPES = new Map<number, MediaStream['type']>([
  [1, 'video'],
  [2, 'audio'],
  [0x11, 'subtitle'],
]);

/** H.264 profile_idc values that allow only 8-bit samples (Baseline, Main, Extended, High). */
const H264_8BIT_PROFILES = new Set([66, 77, 88, 100]);

export interface HeaderInfo {
  info: MediaInfo;
  /**
   * Nothing a plan depends on is left for ffprobe to find by decoding: every video track declares itself
   * progressive (FlagInterlaced 2). Undeclared, ffprobe may still find fields in the frames and plan a
   * deinterlacing transcode where the header plans a copy.
   */
  settled: boolean;
}

/**
 * The head read at once: Tracks usually lie within its first few KiB, and the header's dozen small reads
 * are then answered from memory instead of one source read (a trip through a busy event loop) each. As
 * much as the pump's first read, so it waits for no byte that FFmpeg's first read does not.
 */
export const HEAD_BYTES = RAMP_CHUNK;

/** The header's MediaInfo, or null (see above). Reads only the head's elements, through the source. */
export async function headerInfo(source: DataSource, signal?: AbortSignal): Promise<HeaderInfo | null> {
  const head = await source.read(0, HEAD_BYTES, { signal });
  const docType = ebmlDocType(head);
  if (!docType) return null;
  const readAt = (offset: number, length: number) =>
    offset + length <= head.length
      ? Promise.resolve(head.subarray(offset, offset + length))
      : source.read(offset, length, { signal });
  const header = await readMkvHeader(readAt, source.size);
  if (!header) return null;
  const streams: MediaStream[] = [];
  for (const track of header.tracks) {
    const stream = toStream(track, streams.length);
    if (!stream) return null;
    streams.push(stream);
  }
  if (!streams.some((s) => s.type === 'video' || s.type === 'audio')) return null;
  const info: MediaInfo = {
    container: docType,
    formatName: 'matroska,webm',
    duration: header.duration,
    streams,
    moovAtEnd: false,
    startTime: 0,
  };
  return { info, settled: header.tracks.every((t) => t.type !== 1 || t.interlaced === 2) };
}

function toStream(track: MkvTrack, index: number): MediaStream | null {
  const type = TYPES.get(track.type);
  // FFmpeg skips a track whose CodecID does not match its type (and undecided encodings): a doubt.
  if (!type || track.encoded) return null;
  const prefix = track.codecId[0];
  if (type === 'subtitle' ? prefix !== 'S' && prefix !== 'D' : prefix !== (type === 'video' ? 'V' : 'A')) {
    return null;
  }
  const codec = MKV_CODECS.find(([prefix]) => track.codecId.startsWith(prefix))?.[1];
  // Subtitles are never planned from their codec; a video or audio codec not known here is a doubt.
  if (!codec && type !== 'subtitle') return null;
  const stream: MediaStream = {
    index,
    type,
    codec: codec ?? 'unknown',
    language: null,
    title: null,
    default: track.default,
    forced: track.forced,
  };
  if (track.width !== undefined) stream.width = track.width;
  if (track.height !== undefined) stream.height = track.height;
  if (track.channels !== undefined) stream.channels = track.channels;
  if (track.interlaced === 1) stream.interlaced = 'tt';
  if (codec === 'h264') {
    // AVCDecoderConfigurationRecord: version 1, then profile_idc.
    const profile = track.codecPrivate?.[0] === 1 ? track.codecPrivate[1] : undefined;
    if (profile === undefined || !H264_8BIT_PROFILES.has(profile)) return null;
    stream.bitDepth = 8;
  }
  return stream;
}
