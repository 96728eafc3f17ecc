/** ISO BMFF box headers, child lists and full-box tables, read through a Region (chunked, bounded). */
import { KeyframeIndexError, MAX_ENTRIES, type Region } from './region.js';

export interface Box {
  type: string;
  dataStart: number;
  end: number;
}

export async function header(r: Region, pos: number, end: number): Promise<Box> {
  r.seek(pos);
  await r.need(8);
  let size = r.u32();
  const type = r.ascii(4);
  let dataStart = pos + 8;
  if (size === 1) {
    await r.need(8);
    size = r.u64();
    dataStart += 8;
  } else if (size === 0) size = end - pos;
  if (!/^[\x20-\x7e]{4}$/.test(type)) throw new KeyframeIndexError(`not an MP4 box at byte ${pos}`);
  if (size < dataStart - pos) throw new KeyframeIndexError(`box '${type}' has a bad size`);
  return { type, dataStart, end: pos + size };
}

export async function list(r: Region, parent: Box): Promise<Box[]> {
  const out: Box[] = [];
  for (let pos = parent.dataStart; pos + 8 <= parent.end; ) {
    const box = await header(r, pos, parent.end);
    if (box.end > parent.end) throw new KeyframeIndexError(`box '${box.type}' overruns its parent`);
    out.push(box);
    pos = box.end;
  }
  return out;
}

export const find = (boxes: Box[], type: string) => boxes.find((b) => b.type === type);

/** A full box's table: entry_count entries of `width` u32/i32 fields, read chunk by chunk. */
export async function table(
  r: Region,
  box: Box | undefined,
  width: number,
  signed = false,
): Promise<Int32Array[]> {
  if (!box) return [];
  r.seek(box.dataStart + 4);
  await r.need(4);
  const count = r.u32();
  if (count > MAX_ENTRIES || box.dataStart + 8 + count * width * 4 > box.end) {
    throw new KeyframeIndexError(`'${box.type}' claims ${count} entries`);
  }
  const cols = Array.from({ length: width }, () => new Int32Array(count));
  for (let i = 0; i < count; i++) {
    await r.need(width * 4);
    for (const col of cols) col[i] = signed ? r.i32() : r.u32();
  }
  return cols;
}

export async function fullBoxVersion(r: Region, box: Box): Promise<number> {
  r.seek(box.dataStart);
  await r.need(4);
  const version = r.u8();
  r.skip(3);
  return version;
}
