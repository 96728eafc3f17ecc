/** Matroska vs WebM: both are EBML, told apart by the DocType element in the first bytes. */

export type EbmlDocType = 'webm' | 'matroska';

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
const DOCTYPE_ID = Buffer.from([0x42, 0x82]);

/** The EBML header's DocType ('webm' / 'matroska'), or null when the head is not EBML or says otherwise. */
export function ebmlDocType(head: Buffer): EbmlDocType | null {
  if (head.length < 8 || !head.subarray(0, 4).equals(EBML_MAGIC)) return null;
  // The EBML header is tiny; DocType sits within its first few dozen bytes.
  const at = head.subarray(0, 128).indexOf(DOCTYPE_ID, 4);
  if (at < 0) return null;
  const first = head[at + 2];
  if (first === undefined) return null;
  // The element size is an EBML varint: the leading 1-bit marks its length in bytes.
  const width = Math.clz32(first) - 23;
  if (width < 1 || width > 8 || at + 2 + width > head.length) return null;
  let size = first & (0xff >> width);
  for (let i = 1; i < width; i++) size = size * 256 + head[at + 2 + i]!;
  const start = at + 2 + width;
  const value = head.toString('latin1', start, start + size).replace(/\0+$/, '');
  return value === 'webm' ? 'webm' : value === 'matroska' ? 'matroska' : null;
}
