/** Just enough ISO-BMFF (MP4/MOV) box parsing to know the layout: where moov sits, where fragments start. */

export interface BoxHeader {
  type: string;
  /** Whole box size including its header; Infinity when the box runs to the end of the file (size 0). */
  size: number;
  headerSize: number;
}

/**
 * The box header at the start of `buf`, or null when `buf` is too short to hold it (8 bytes, 16 with a
 * 64-bit size). Throws on sizes that cannot be a box, so garbage is not walked forever.
 */
export function parseBoxHeader(buf: Buffer): BoxHeader | null {
  if (buf.length < 8) return null;
  const size32 = buf.readUInt32BE(0);
  const type = buf.toString('latin1', 4, 8);
  if (size32 === 1) {
    if (buf.length < 16) return null;
    const size = Number(buf.readBigUInt64BE(8));
    if (size < 16) throw new Error(`bad 64-bit size ${size} for box ${JSON.stringify(type)}`);
    return { type, size, headerSize: 16 };
  }
  if (size32 === 0) return { type, size: Number.POSITIVE_INFINITY, headerSize: 8 };
  if (size32 < 8) throw new Error(`bad size ${size32} for box ${JSON.stringify(type)}`);
  return { type, size: size32, headerSize: 8 };
}

/** A head that starts like an MP4/MOV file (first box ftyp, or an old QuickTime moov/mdat/wide/free). */
export function looksLikeMp4(head: Buffer): boolean {
  if (head.length < 8) return false;
  return ['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip'].includes(head.toString('latin1', 4, 8));
}

/** The ftyp's major brand ("isom", "qt  ", ...) when the head starts with one. */
export function majorBrand(head: Buffer): string | null {
  if (head.length < 12 || head.toString('latin1', 4, 8) !== 'ftyp') return null;
  return head.toString('latin1', 8, 12);
}

/**
 * Walks the top-level boxes through `readAt` (16 bytes per box header, nothing else) until moov or mdat.
 * 'end' when mdat comes first (the index is at the end: a pipe cannot reach it), 'start' when moov does,
 * null when neither shows up within `maxBoxes`.
 */
export async function findMoov(
  readAt: (offset: number, length: number) => Promise<Buffer>,
  size: number,
  maxBoxes = 64,
): Promise<'start' | 'end' | null> {
  let offset = 0;
  for (let i = 0; i < maxBoxes && offset < size; i++) {
    const header = parseBoxHeader(await readAt(offset, 16));
    if (!header) return null;
    if (header.type === 'moov') return 'start';
    if (header.type === 'mdat') return 'end';
    offset += header.size;
  }
  return null;
}
