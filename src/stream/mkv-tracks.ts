/**
 * Matroska's own account of its streams, read from the Segment's Info and Tracks elements at the head of
 * the file: each track's type, CodecID, flags and video/audio basics, and the duration. Only EBML element
 * walking, no frame data: enough to plan a stream before ffprobe has spoken (header-info.ts).
 */

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

type ReadAt = (offset: number, length: number) => Promise<Buffer>;

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

interface Element {
  id: number;
  /** Offset of the data, and its size (null: unknown, as a live Segment's may be). */
  start: number;
  size: number | null;
}

/**
 * The header of an EBML/Matroska file through `readAt`, or null when the file is not Matroska, its Tracks
 * come after the first Cluster or too far in, or an element cannot be parsed.
 */
export async function readMkvHeader(readAt: ReadAt, fileSize: number): Promise<MkvHeader | null> {
  const first = elementAt(await readAt(0, 16), 0);
  if (!first || first.id !== ID.ebml || first.size === null) return null;
  const segment = elementAt(await readAt(first.start + first.size, 16), first.start + first.size);
  if (!segment || segment.id !== ID.segment) return null;
  const end = segment.size === null ? fileSize : Math.min(fileSize, segment.start + segment.size);
  let offset = segment.start;
  let info: Buffer | null = null;
  for (let i = 0; i < MAX_CHILDREN && offset < end; i++) {
    const child = elementAt(await readAt(offset, 16), offset);
    if (!child || child.size === null || child.id === ID.cluster) return null;
    if (child.id === ID.info || child.id === ID.tracks) {
      if (child.size > MAX_ELEMENT) return null;
      const body = await readAt(child.start, child.size);
      if (body.length < child.size) return null;
      if (child.id === ID.info) info = body;
      else return { duration: info ? durationOf(info) : null, tracks: tracksOf(body) };
    }
    offset = child.start + child.size;
  }
  return null;
}

/** The element whose header starts `buf` (found at file offset `at`), or null if it cannot be one. */
function elementAt(buf: Buffer, at: number): Element | null {
  const id = vint(buf, 0, true);
  if (!id || id.value === null) return null;
  const size = vint(buf, id.width, false);
  if (!size) return null;
  return { id: id.value, start: at + id.width + size.width, size: size.value };
}

/**
 * An EBML variable-length integer at `offset`: an ID keeps its length marker, a size drops it (all ones
 * meaning unknown: null). Undefined when the bytes are missing or invalid.
 */
function vint(
  buf: Buffer,
  offset: number,
  keepMarker: boolean,
): { value: number | null; width: number } | undefined {
  const first = buf[offset];
  if (first === undefined || first === 0) return undefined;
  const width = Math.clz32(first) - 23;
  if (offset + width > buf.length || (keepMarker && width > 4)) return undefined;
  let value = keepMarker ? first : first & (0xff >> width);
  let allOnes = value === 0xff >> width;
  for (let i = 1; i < width; i++) {
    const byte = buf[offset + i]!;
    value = value * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { value: !keepMarker && allOnes ? null : value, width };
}

/** The children of a master element's data, each as its ID and its own data. */
function* children(body: Buffer): Generator<{ id: number; data: Buffer }> {
  let offset = 0;
  while (offset < body.length) {
    const id = vint(body, offset, true);
    const size = id && vint(body, offset + id.width, false);
    if (!id || !size || size.value === null || id.value === null) return;
    const start = offset + id.width + size.width;
    if (start + size.value > body.length) return;
    yield { id: id.value, data: body.subarray(start, start + size.value) };
    offset = start + size.value;
  }
}

function uint(data: Buffer): number {
  let value = 0;
  for (const byte of data) value = value * 256 + byte;
  return value;
}

function durationOf(info: Buffer): number | null {
  let scale = 1_000_000;
  let ticks: number | null = null;
  for (const { id, data } of children(info)) {
    if (id === ID.timecodeScale) scale = uint(data);
    if (id === ID.duration && data.length === 4) ticks = data.readFloatBE(0);
    if (id === ID.duration && data.length === 8) ticks = data.readDoubleBE(0);
  }
  const seconds = ticks === null ? Number.NaN : (ticks * scale) / 1e9;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

function tracksOf(tracks: Buffer): MkvTrack[] {
  const list: MkvTrack[] = [];
  for (const { id, data } of children(tracks)) {
    if (id === ID.trackEntry) list.push(trackOf(data));
  }
  return list;
}

function trackOf(entry: Buffer): MkvTrack {
  const track: MkvTrack = { type: 0, codecId: '', default: true, forced: false, encoded: false };
  for (const { id, data } of children(entry)) {
    if (id === ID.trackType) track.type = uint(data);
    else if (id === ID.codecId) track.codecId = data.toString('latin1').replace(/\0+$/, '');
    else if (id === ID.flagDefault) track.default = uint(data) !== 0;
    else if (id === ID.flagForced) track.forced = uint(data) !== 0;
    else if (id === ID.codecPrivate) track.codecPrivate = Buffer.from(data);
    else if (id === ID.contentEncodings) track.encoded = true;
    else if (id === ID.video) {
      for (const v of children(data)) {
        if (v.id === ID.pixelWidth) track.width = uint(v.data);
        if (v.id === ID.pixelHeight) track.height = uint(v.data);
        if (v.id === ID.flagInterlaced) track.interlaced = uint(v.data);
      }
    } else if (id === ID.audio) {
      for (const a of children(data)) if (a.id === ID.channels) track.channels = uint(a.data);
    }
  }
  return track;
}
