/**
 * Matroska's own account of its streams, read from the Segment's Info and Tracks elements at the head of
 * the file: each track's type, CodecID, flags and video/audio basics, and the duration. Only EBML element
 * walking, no frame data: enough to plan a stream before ffprobe has spoken (header-info.ts).
 */
import { children, type Element, float, parseHeader, uint } from './keyframes/ebml-read.js';
import type { ReadAt } from './keyframes/index.js';
import { KeyframeIndexError } from './keyframes/region.js';

export interface MkvTrack {
  /** Matroska's TrackType: 1 video, 2 audio, 0x11 subtitle (others are not media). */
  type: number;
  codecId: string;
  /** FlagDefault (1 when absent) and FlagForced (0 when absent). */
  default: boolean;
  forced: boolean;
  width?: number;
  height?: number;
  /** FlagInterlaced: 1 interlaced, 2 progressive, 0 or absent undetermined. */
  interlaced?: number;
  channels?: number;
  codecPrivate?: Buffer;
  /** ContentEncodings present (compressed or encrypted frames): FFmpeg may skip or alter the track. */
  encoded: boolean;
}

export interface MkvHeader {
  /** Seconds, when the Info element says. */
  duration: number | null;
  tracks: MkvTrack[];
}

const ID = {
  ebml: 0x1a45dfa3,
  segment: 0x18538067,
  info: 0x1549a966,
  tracks: 0x1654ae6b,
  cluster: 0x1f43b675,
  timecodeScale: 0x2ad7b1,
  duration: 0x4489,
  trackEntry: 0xae,
  trackType: 0x83,
  codecId: 0x86,
  flagDefault: 0x88,
  flagForced: 0x55aa,
  codecPrivate: 0x63a2,
  video: 0xe0,
  audio: 0xe1,
  pixelWidth: 0xb0,
  pixelHeight: 0xba,
  flagInterlaced: 0x9a,
  channels: 0x9f,
  contentEncodings: 0x6d80,
} as const;

/** The largest Info or Tracks element read whole: real ones are a few kB (CodecPrivate included). */
const MAX_ELEMENT = 1024 * 1024;
/** Top-level elements looked at before giving up on finding Tracks (SeekHead, Void, Info, Tags…). */
const MAX_CHILDREN = 32;

/**
 * The header of an EBML/Matroska file through `readAt`, or null when the file is not Matroska, its Tracks
 * come after the first Cluster or too far in, or an element cannot be parsed.
 */
export async function readMkvHeader(readAt: ReadAt, fileSize: number): Promise<MkvHeader | null> {
  try {
    return await findTracks(readAt, fileSize);
  } catch (err) {
    if (err instanceof KeyframeIndexError) return null; // an element that cannot be parsed
    throw err;
  }
}

async function findTracks(readAt: ReadAt, fileSize: number): Promise<MkvHeader | null> {
  const elementAt = async (offset: number): Promise<Element> =>
    parseHeader(await readAt(offset, 16), 0, offset);
  const first = await elementAt(0);
  if (first.id !== ID.ebml || first.size === null) return null;
  const segment = await elementAt(first.dataStart + first.size);
  if (segment.id !== ID.segment) return null;
  const end = segment.size === null ? fileSize : Math.min(fileSize, segment.dataStart + segment.size);
  let offset = segment.dataStart;
  let info: Buffer | null = null;
  for (let i = 0; i < MAX_CHILDREN && offset < end; i++) {
    const child = await elementAt(offset);
    if (child.size === null || child.id === ID.cluster) return null;
    if (child.id === ID.info || child.id === ID.tracks) {
      if (child.size > MAX_ELEMENT) return null;
      const body = await readAt(child.dataStart, child.size);
      if (body.length < child.size) return null;
      if (child.id === ID.info) info = body;
      else return { duration: info ? durationOf(info) : null, tracks: tracksOf(body) };
    }
    offset = child.dataStart + child.size;
  }
  return null;
}

function durationOf(info: Buffer): number | null {
  let scale = 1_000_000;
  let ticks: number | null = null;
  for (const { id, s, e } of children(info)) {
    if (id === ID.timecodeScale) scale = uint(info, s, e);
    if (id === ID.duration) ticks = float(info, s, e);
  }
  const seconds = ticks === null ? Number.NaN : (ticks * scale) / 1e9;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

function tracksOf(tracks: Buffer): MkvTrack[] {
  const list: MkvTrack[] = [];
  for (const { id, s, e } of children(tracks)) {
    if (id === ID.trackEntry) list.push(trackOf(tracks.subarray(s, e)));
  }
  return list;
}

function trackOf(entry: Buffer): MkvTrack {
  const track: MkvTrack = { type: 0, codecId: '', default: true, forced: false, encoded: false };
  const value = (s: number, e: number) => uint(entry, s, e);
  for (const { id, s, e } of children(entry)) {
    const data = entry.subarray(s, e);
    if (id === ID.trackType) track.type = value(s, e);
    else if (id === ID.codecId) track.codecId = data.toString('latin1').replace(/\0+$/, '');
    else if (id === ID.flagDefault) track.default = value(s, e) !== 0;
    else if (id === ID.flagForced) track.forced = value(s, e) !== 0;
    else if (id === ID.codecPrivate) track.codecPrivate = Buffer.from(data);
    else if (id === ID.contentEncodings) track.encoded = true;
    else if (id === ID.video) {
      for (const v of children(entry, s, e)) {
        if (v.id === ID.pixelWidth) track.width = value(v.s, v.e);
        if (v.id === ID.pixelHeight) track.height = value(v.s, v.e);
        if (v.id === ID.flagInterlaced) track.interlaced = value(v.s, v.e);
      }
    } else if (id === ID.audio) {
      for (const a of children(entry, s, e)) if (a.id === ID.channels) track.channels = value(a.s, a.e);
    }
  }
  return track;
}
