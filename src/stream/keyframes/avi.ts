/**
 * AVI keyframes from the legacy idx1: RIFF 'AVI ' → LIST hdrl (each strl's strh: the first 'vids'
 * stream, its scale/rate/start), then hop over LIST movi by its size to idx1, whose entries list every
 * chunk in order with AVIIF_KEYFRAME. A video frame's time is its index among its stream's chunks
 * × scale/rate. Files larger than their first RIFF (AVIX parts, which idx1 does not cover) or without
 * idx1 use the OpenDML indexes instead (avi-odml.ts); with neither: null.
 */

import { readOdmlIndex } from './avi-odml.js';
import type { KeyframeIndex, ReadAt } from './index.js';
import { capRegion, KeyframeIndexError, MAX_ENTRIES, Region } from './region.js';

const AVIIF_KEYFRAME = 0x10;
const MAX_HDRL = 1024 * 1024;

interface Chunk {
  id: string;
  /** LIST's list type, else ''. */
  list: string;
  dataStart: number;
  end: number;
}

async function chunkAt(r: Region, pos: number): Promise<Chunk> {
  r.seek(pos);
  await r.need(Math.min(12, r.end - pos));
  const id = r.ascii(4);
  const size = r.u32le();
  const list = (id === 'LIST' || id === 'RIFF') && r.end - pos >= 12 ? r.ascii(4) : '';
  if (!/^[\x20-\x7e]{4}$/.test(id)) throw new KeyframeIndexError(`not a RIFF chunk at byte ${pos}`);
  // Chunks are padded to even sizes.
  return { id, list, dataStart: pos + 8, end: pos + 8 + size + (size & 1) };
}

export async function readAviKeyframes(
  read: ReadAt,
  size: number,
  signal?: AbortSignal,
): Promise<KeyframeIndex | null> {
  const top = new Region(read, 0, size, signal, 12);
  const riff = await chunkAt(top, 0);
  if (riff.id !== 'RIFF' || riff.list !== 'AVI ') throw new KeyframeIndexError('not a RIFF AVI file');
  // An OpenDML AVIX part follows: idx1 would cover only the first RIFF.
  const multiPart = riff.end + 12 <= size && (await chunkAt(top, riff.end)).id === 'RIFF';
  const riffEnd = Math.min(riff.end, size);
  let hdrl: Chunk | undefined;
  let movi: Chunk | undefined;
  let idx1: Chunk | undefined;
  for (let pos = 12; pos + 8 <= riffEnd; ) {
    const c = await chunkAt(top, pos);
    if (c.list === 'hdrl') hdrl = c;
    else if (c.list === 'movi') movi = c;
    else if (c.id === 'idx1') idx1 = c;
    if (idx1) break;
    pos = c.end;
  }
  if (!hdrl || !movi) throw new KeyframeIndexError('AVI without hdrl or movi');

  capRegion('hdrl', hdrl.end - hdrl.dataStart, MAX_HDRL);
  const h = new Region(read, hdrl.dataStart + 4, Math.min(hdrl.end, size), signal);
  let streamNo = -1;
  let video: { n: number; scale: number; rate: number; start: number; length: number } | undefined;
  let indx: Chunk | undefined;
  for (let pos = h.start; pos + 8 <= h.end && !video; ) {
    const strl = await chunkAt(h, pos);
    pos = strl.end;
    if (strl.list !== 'strl') continue;
    streamNo++;
    for (let at = strl.dataStart + 4; at + 8 <= Math.min(strl.end, h.end); ) {
      const c = await chunkAt(h, at);
      at = c.end;
      if (c.id === 'indx') indx = c;
      if (c.id !== 'strh') continue;
      h.seek(c.dataStart);
      await h.need(36);
      if (h.ascii(4) !== 'vids') break;
      h.skip(16); // handler, flags, priority, language, initial frames
      video = { n: streamNo, scale: h.u32le(), rate: h.u32le(), start: h.u32le(), length: h.u32le() };
    }
    if (!video) indx = undefined;
  }
  if (!video) return null;
  if (video.scale === 0 || video.rate === 0) throw new KeyframeIndexError('video stream with no frame rate');
  const frame = video.scale / video.rate;
  const track = video.n;
  const toTimes = (frames: number[]) => frames.map((f) => (video.start + f) * frame);

  if (multiPart || !idx1) {
    const odml = indx && (await readOdmlIndex(read, size, indx.dataStart, Math.min(indx.end, size), signal));
    if (!odml || odml.frames.length === 0) return null;
    // strh's length counts only the first RIFF part: the index's own count is the whole.
    const duration = odml.total * frame;
    return { track, times: toTimes(odml.frames), duration, byteOffsets: odml.byteOffsets };
  }
  if (idx1.end - (idx1.end & 1) > size) throw new KeyframeIndexError('idx1 runs past the end of the file');
  const found = await readIdx1(read, idx1, movi.dataStart, track, signal);
  if (found.frames.length === 0) return null;
  const duration = (video.length || found.total) * frame || null;
  return { track, times: toTimes(found.frames), duration, byteOffsets: found.byteOffsets };
}

/** The video stream's keyframes in idx1 (frame numbers among its chunks) and where their data starts. */
async function readIdx1(read: ReadAt, idx1: Chunk, moviFourcc: number, track: number, signal?: AbortSignal) {
  const idx = new Region(
    read,
    idx1.dataStart,
    idx1.dataStart + Math.floor((idx1.end - idx1.dataStart) / 16) * 16,
    signal,
  );
  capRegion('idx1', idx.end - idx.start);
  const ids = new Set(['dc', 'db'].map((t) => `${String(track).padStart(2, '0')}${t}`));
  const frames: number[] = [];
  const byteOffsets: number[] = [];
  // Offsets are relative to the 'movi' fourcc, or (some muxers) absolute: the first entry tells.
  let base: number | undefined;
  let total = 0;
  while (idx.left > 0) {
    await idx.need(16);
    const id = idx.ascii(4);
    const flags = idx.u32le();
    const offset = idx.u32le();
    idx.skip(4);
    base ??= offset < moviFourcc ? moviFourcc : 0;
    if (!ids.has(id)) continue;
    if (flags & AVIIF_KEYFRAME) {
      frames.push(total);
      byteOffsets.push(base + offset + 8);
      if (frames.length > MAX_ENTRIES) throw new KeyframeIndexError('too many idx1 entries');
    }
    total++;
  }
  return { frames, byteOffsets, total };
}
