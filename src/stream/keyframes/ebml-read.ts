/** EBML element headers and values (Matroska/WebM), parsed from buffers with their bounds checked. */
import type { ReadAt } from './index.js';
import { KeyframeIndexError } from './region.js';

export interface Element {
  id: number;
  /** Null: unknown size (a live-written file), running to the end of its parent. */
  size: number | null;
  dataStart: number;
}

/** An EBML variable-length integer at off: IDs keep their length marker, sizes drop it. */
export function vint(
  buf: Buffer,
  off: number,
  isId: boolean,
): { value: number; width: number; unknown: boolean } {
  const first = buf[off];
  if (first === undefined) throw new KeyframeIndexError('truncated element header');
  const width = Math.clz32(first) - 23;
  if (width < 1 || width > (isId ? 4 : 8))
    throw new KeyframeIndexError(`bad EBML varint 0x${first.toString(16)}`);
  if (off + width > buf.length) throw new KeyframeIndexError('truncated element header');
  let value = isId ? first : first & (0xff >> width);
  let allOnes = value === 0xff >> width;
  for (let i = 1; i < width; i++) {
    const b = buf[off + i]!;
    allOnes &&= b === 0xff;
    value = value * 256 + b;
  }
  if (!isId && !allOnes && value > Number.MAX_SAFE_INTEGER)
    throw new KeyframeIndexError('element size out of range');
  return { value, width, unknown: !isId && allOnes };
}

export function parseHeader(buf: Buffer, off: number, base: number): Element {
  const id = vint(buf, off, true);
  const size = vint(buf, off + id.width, false);
  return {
    id: id.value,
    size: size.unknown ? null : size.value,
    dataStart: base + off + id.width + size.width,
  };
}

export async function headerAt(read: ReadAt, pos: number): Promise<Element> {
  return parseHeader(await read(pos, 12), 0, pos);
}

/** The children of buf[start, end): their ids and payload ranges (offsets into buf). */
export function* children(
  buf: Buffer,
  start = 0,
  end = buf.length,
): Generator<{ id: number; s: number; e: number }> {
  let off = start;
  while (off < end) {
    const h = parseHeader(buf, off, 0);
    const e = h.size === null ? end : h.dataStart + h.size;
    if (e > end) throw new KeyframeIndexError(`element 0x${h.id.toString(16)} overruns its parent`);
    yield { id: h.id, s: h.dataStart, e };
    off = e;
  }
}

export function uint(buf: Buffer, s: number, e: number): number {
  if (e - s > 8) throw new KeyframeIndexError('integer wider than 8 bytes');
  let v = 0;
  for (let i = s; i < e; i++) v = v * 256 + buf[i]!;
  if (v > Number.MAX_SAFE_INTEGER) throw new KeyframeIndexError('integer out of range');
  return v;
}

export function float(buf: Buffer, s: number, e: number): number | null {
  if (e - s === 4) return buf.readFloatBE(s);
  if (e - s === 8) return buf.readDoubleBE(s);
  return null;
}
