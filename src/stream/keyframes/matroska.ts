/**
 * Matroska/WebM keyframes from the Cues: EBML header → Segment → SeekHead (where Info, Tracks and Cues
 * are), Info's TimestampScale and Duration, the first video track's number, then every CuePoint of that
 * track. Only element headers, those three elements and the SeekHead are read.
 *
 * Without a SeekHead entry for Cues we look only at the top-level elements before the first Cluster
 * (Cues written up front) and then give up: hopping Cluster to Cluster would touch a piece per Cluster,
 * i.e. download most of a torrent, and live-written files (unknown sizes) cannot be hopped anyway.
 */

import { children, float, headerAt, parseHeader, uint } from './ebml-read.js';
import type { KeyframeIndex, ReadAt } from './index.js';
import { capRegion, KeyframeIndexError, MAX_ENTRIES, Region } from './region.js';

const EBML = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const SEEK_HEAD = 0x114d9b74;
const SEEK = 0x4dbb;
const SEEK_ID = 0x53ab;
const SEEK_POSITION = 0x53ac;
const INFO = 0x1549a966;
const TIMESTAMP_SCALE = 0x2ad7b1;
const DURATION = 0x4489;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const TRACK_NUMBER = 0xd7;
const TRACK_TYPE = 0x83;
const CLUSTER = 0x1f43b675;
const CUES = 0x1c53bb6b;
const CUE_POINT = 0xbb;
const CUE_TIME = 0xb3;
const CUE_TRACK_POSITIONS = 0xb7;
const CUE_TRACK = 0xf7;
const CUE_CLUSTER_POSITION = 0xf1;

/** Top-level elements looked at before the first Cluster (SeekHead, Info, Tracks, Tags, Void, ...). */
const MAX_TOP_LEVEL = 64;
/** Info, Tracks and SeekHead are small (Tracks holds codec private data: some KB). */
const MAX_HEADER_ELEMENT = 4 * 1024 * 1024;

/** The whole payload of a small element at pos, checked to be the one expected. */
async function loadElement(read: ReadAt, pos: number, end: number, id: number): Promise<Buffer> {
  const h = await headerAt(read, pos);
  if (h.id !== id) throw new KeyframeIndexError(`no element 0x${id.toString(16)} at byte ${pos}`);
  const length = h.size ?? end - h.dataStart;
  capRegion(`element 0x${id.toString(16)}`, length, MAX_HEADER_ELEMENT);
  const buf = await read(h.dataStart, length);
  if (buf.length < length) throw new KeyframeIndexError(`element 0x${id.toString(16)} is truncated`);
  return buf;
}

export async function readMatroskaKeyframes(
  read: ReadAt,
  size: number,
  signal?: AbortSignal,
): Promise<KeyframeIndex | null> {
  const ebml = await headerAt(read, 0);
  if (ebml.id !== EBML || ebml.size === null) throw new KeyframeIndexError('not an EBML file');
  const segPos = ebml.dataStart + ebml.size;
  const seg = await headerAt(read, segPos);
  if (seg.id !== SEGMENT) throw new KeyframeIndexError('no Segment after the EBML header');
  const segStart = seg.dataStart;
  const segEnd = seg.size === null ? size : Math.min(size, segStart + seg.size);

  // Where each top-level element we need starts: from the walk up to the first Cluster, then SeekHeads.
  const at = new Map<number, number>();
  for (let pos = segStart, n = 0; pos < segEnd && n < MAX_TOP_LEVEL; n++) {
    signal?.throwIfAborted();
    const h = await headerAt(read, pos);
    if (!at.has(h.id)) at.set(h.id, pos);
    if (h.id === CLUSTER || h.size === null) break;
    pos = h.dataStart + h.size;
  }
  const seekHeads = [at.get(SEEK_HEAD)];
  // A SeekHead may point to a second one (written at the end); follow at most that one hop.
  for (let i = 0; i < 2 && i < seekHeads.length; i++) {
    const pos = seekHeads[i];
    if (pos === undefined) continue;
    const buf = await loadElement(read, pos, segEnd, SEEK_HEAD);
    for (const seek of children(buf)) {
      if (seek.id !== SEEK) continue;
      let id: number | undefined;
      let position: number | undefined;
      for (const c of children(buf, seek.s, seek.e)) {
        if (c.id === SEEK_ID) id = uint(buf, c.s, c.e);
        else if (c.id === SEEK_POSITION) position = segStart + uint(buf, c.s, c.e);
      }
      if (id === undefined || position === undefined) continue;
      if (id === SEEK_HEAD && position !== pos) seekHeads.push(position);
      else if (!at.has(id)) at.set(id, position);
    }
  }

  const infoPos = at.get(INFO);
  const tracksPos = at.get(TRACKS);
  const cuesPos = at.get(CUES);
  if (tracksPos === undefined || cuesPos === undefined) return null;

  let scale = 1_000_000;
  let duration: number | null = null;
  if (infoPos !== undefined) {
    const info = await loadElement(read, infoPos, segEnd, INFO);
    for (const c of children(info)) {
      if (c.id === TIMESTAMP_SCALE) scale = uint(info, c.s, c.e) || scale;
      else if (c.id === DURATION) duration = float(info, c.s, c.e);
    }
  }
  const tracks = await loadElement(read, tracksPos, segEnd, TRACKS);
  let track: number | undefined;
  for (const entry of children(tracks)) {
    if (entry.id !== TRACK_ENTRY) continue;
    let number: number | undefined;
    let type: number | undefined;
    for (const c of children(tracks, entry.s, entry.e)) {
      if (c.id === TRACK_NUMBER) number = uint(tracks, c.s, c.e);
      else if (c.id === TRACK_TYPE) type = uint(tracks, c.s, c.e);
    }
    if (type === 1 && number !== undefined) {
      track = number;
      break;
    }
  }
  if (track === undefined) return null;

  const cues = await readCues(read, cuesPos, segStart, segEnd, track, signal);
  if (cues.length === 0) return null;
  cues.sort((a, b) => a[0] - b[0]);
  const times: number[] = [];
  const byteOffsets: number[] = [];
  let last = -1;
  for (const [time, offset] of cues) {
    // Several CuePoints may share a time (repeated entries): keep one.
    if (time === last) continue;
    last = time;
    times.push((time * scale) / 1e9);
    byteOffsets.push(offset);
  }
  const seconds =
    duration !== null && Number.isFinite(duration) && duration > 0 ? (duration * scale) / 1e9 : null;
  return { track, times, duration: seconds, byteOffsets };
}

/** [CueTime, Cluster position] of the track's CuePoints, read chunk by chunk (Cues can be MBs). */
async function readCues(
  read: ReadAt,
  pos: number,
  segStart: number,
  segEnd: number,
  track: number,
  signal?: AbortSignal,
): Promise<Array<[number, number]>> {
  const h = await headerAt(read, pos);
  if (h.id !== CUES) throw new KeyframeIndexError(`no Cues at byte ${pos}`);
  const end = h.size === null ? segEnd : h.dataStart + h.size;
  if (end > segEnd) throw new KeyframeIndexError('Cues run past the end of the file');
  capRegion('Cues', end - h.dataStart);
  const r = new Region(read, h.dataStart, end, signal);
  const out: Array<[number, number]> = [];
  while (r.left > 0) {
    await r.need(Math.min(12, r.left));
    const head = r.bytes(Math.min(12, r.left));
    const point = parseHeader(head, 0, r.pos - head.length);
    const length = point.size ?? end - point.dataStart;
    if (point.dataStart + length > end) throw new KeyframeIndexError('element overruns the Cues');
    // Anything else in Cues (Void, CRC-32) is skipped unread.
    if (point.id !== CUE_POINT) {
      r.seek(point.dataStart + length);
      continue;
    }
    if (point.size === null || length > 65536)
      throw new KeyframeIndexError('CuePoint of unknown or huge size');
    r.seek(point.dataStart);
    await r.need(length);
    const buf = r.bytes(length);
    // CueTime usually comes first, but the order of children is not mandated.
    let time: number | undefined;
    const clusters: number[] = [];
    for (const c of children(buf)) {
      if (c.id === CUE_TIME) time = uint(buf, c.s, c.e);
      if (c.id !== CUE_TRACK_POSITIONS) continue;
      let cueTrack: number | undefined;
      let cluster: number | undefined;
      for (const p of children(buf, c.s, c.e)) {
        if (p.id === CUE_TRACK) cueTrack = uint(buf, p.s, p.e);
        else if (p.id === CUE_CLUSTER_POSITION) cluster = uint(buf, p.s, p.e);
      }
      if (cueTrack === track && cluster !== undefined) clusters.push(segStart + cluster);
    }
    if (time !== undefined && clusters.length > 0) out.push([time, clusters[0]!]);
    if (out.length > MAX_ENTRIES) throw new KeyframeIndexError('too many CuePoints');
  }
  return out;
}
