/**
 * AVI 2.0 (OpenDML) keyframes: the video strl's super index (indx) lists standard index chunks (ix##),
 * one per RIFF part, each listing that part's video chunks with a "not a keyframe" bit. Needed when the
 * file outgrew its first RIFF (idx1 then covers only the first part) or has no idx1 at all. Each ix##
 * is a small read at its own place (for a torrent: one piece per GB of film).
 */

import type { ReadAt } from './index.js';
import { capRegion, KeyframeIndexError, MAX_ENTRIES, Region } from './region.js';

const AVI_INDEX_OF_INDEXES = 0;
const AVI_INDEX_OF_CHUNKS = 1;
const NOT_KEYFRAME = 0x80000000;

export interface OdmlKeyframes {
  /** Frame numbers (among the stream's chunks) of the keyframes. */
  frames: number[];
  /** Where each keyframe's data starts. */
  byteOffsets: number[];
  /** Video chunks listed in all. */
  total: number;
}

/** Reads the super index whose payload is [start, end); null when it is not a filled index of indexes. */
export async function readOdmlIndex(
  read: ReadAt,
  size: number,
  start: number,
  end: number,
  signal?: AbortSignal,
): Promise<OdmlKeyframes | null> {
  capRegion('indx', end - start, 1024 * 1024);
  const sup = new Region(read, start, end, signal);
  await sup.need(24);
  const longs = sup.u16le();
  sup.skip(1); // sub-type
  const type = sup.u8();
  const count = sup.u32le();
  sup.skip(16); // chunk id, reserved
  if (type !== AVI_INDEX_OF_INDEXES || count === 0 || longs !== 4) return null;
  const parts: number[] = [];
  for (let i = 0; i < count && sup.left >= 16; i++) {
    await sup.need(16);
    parts.push(sup.u64le());
    sup.skip(8); // size, duration
  }
  const out: OdmlKeyframes = { frames: [], byteOffsets: [], total: 0 };
  for (const at of parts) {
    if (at + 32 > size) throw new KeyframeIndexError(`ix chunk at ${at} lies past the end of the file`);
    const ix = new Region(read, at, size, signal, 32);
    await ix.need(32);
    ix.skip(4); // ix##
    const length = ix.u32le();
    const stride = ix.u16le() * 4;
    ix.skip(1);
    const ixType = ix.u8();
    const entries = ix.u32le();
    ix.skip(4); // chunk id
    const base = ix.u64le();
    ix.skip(4);
    if (ixType !== AVI_INDEX_OF_CHUNKS || stride < 8 || 24 + entries * stride > length) {
      throw new KeyframeIndexError(`bad standard index at ${at}`);
    }
    if (out.total + entries > MAX_ENTRIES) throw new KeyframeIndexError('too many OpenDML index entries');
    const table = new Region(read, at + 32, at + 32 + entries * stride, signal);
    for (let i = 0; i < entries; i++, out.total++) {
      await table.need(stride);
      const offset = table.u32le();
      const chunkSize = table.u32le();
      table.skip(stride - 8);
      if (!(chunkSize & NOT_KEYFRAME)) {
        out.frames.push(out.total);
        out.byteOffsets.push(base + offset);
      }
    }
  }
  return out;
}
