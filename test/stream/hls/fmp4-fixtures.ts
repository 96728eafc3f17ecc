/** Hand-built fragmented MP4 for the HLS unit tests: just the boxes the fMP4 reader looks into. */

export function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

/** A box with a 64-bit size (size field 1, then the size after the type). */
export function box64(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const head = Buffer.alloc(16);
  head.writeUInt32BE(1, 0);
  head.write(type, 4, 'latin1');
  head.writeBigUInt64BE(BigInt(16 + body.length), 8);
  return Buffer.concat([head, body]);
}

const u32 = (...values: number[]) => {
  const b = Buffer.alloc(values.length * 4);
  for (const [i, v] of values.entries()) b.writeInt32BE(v | 0, i * 4);
  return b;
};

export function init(timescale: number, mdhdVersion = 0): Buffer {
  const mdhd =
    mdhdVersion === 1
      ? Buffer.concat([u32(0x01000000), Buffer.alloc(16), u32(timescale), Buffer.alloc(12)])
      : Buffer.concat([u32(0), u32(0, 0), u32(timescale, 0), Buffer.alloc(4)]);
  const trak = box(
    'trak',
    box('tkhd', Buffer.alloc(84)),
    box('mdia', box('mdhd', mdhd), box('hdlr', Buffer.alloc(24))),
  );
  return Buffer.concat([
    box('ftyp', Buffer.from('isom\0\0\x02\0isomiso6', 'latin1')),
    box('moov', box('mvhd', Buffer.alloc(100)), trak),
  ]);
}

/** moof + mdat: tfdt (64-bit when large), a trun with a composition offset on its first sample when given. */
export function fragment(
  decode: number,
  opts: { cto?: number; trunVersion?: 0 | 1; bigMdat?: boolean } = {},
): Buffer {
  const tfdt =
    decode > 0xffffffff
      ? Buffer.concat([u32(0x01000000), Buffer.from(BigInt(decode).toString(16).padStart(16, '0'), 'hex')])
      : Buffer.concat([u32(0), u32(decode)]);
  // data offset, first-sample flags; per sample: duration, size, composition offset.
  const flags = opts.cto === undefined ? 0x301 : 0xb05;
  const sample = opts.cto === undefined ? u32(1024, 10) : u32(1024, 10, opts.cto);
  const counts = opts.cto === undefined ? u32(1, 0) : u32(1, 0, 0); // sample count, data offset[, flags]
  const trun = Buffer.concat([u32(((opts.trunVersion ?? 0) << 24) | flags), counts, sample]);
  const traf = box('traf', box('tfhd', u32(0x020000, 1)), box('tfdt', tfdt), box('trun', trun));
  const moof = box('moof', box('mfhd', u32(0, 1)), traf);
  const data = Buffer.alloc(10, 7);
  return Buffer.concat([moof, opts.bigMdat ? box64('mdat', data) : box('mdat', data)]);
}
