/**
 * The init segment's sample entry turned into the RFC 6381 string and picture size it really holds, for
 * checking the master playlist's CODECS and RESOLUTION against what the segments carry.
 */
import assert from 'node:assert/strict';

function boxes(buf: Buffer, start = 0, end = buf.length): Array<{ type: string; body: Buffer }> {
  const out: Array<{ type: string; body: Buffer }> = [];
  for (let pos = start; pos + 8 <= end; ) {
    let size = buf.readUInt32BE(pos);
    let header = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(pos + 8));
      header = 16;
    } else if (size === 0) size = end - pos;
    if (size < header || pos + size > end) break;
    out.push({
      type: buf.toString('latin1', pos + 4, pos + 8),
      body: buf.subarray(pos + header, pos + size),
    });
    pos += size;
  }
  return out;
}

function path(buf: Buffer, ...types: string[]): Buffer {
  let body = buf;
  for (const type of types) {
    const found = boxes(body).find((b) => b.type === type);
    assert.ok(found, `no ${types.join('/')} box`);
    body = found.body;
  }
  return body;
}

export interface SampleEntry {
  /** The sample entry's four-character code: avc1, hvc1, mp4a, ac-3, Opus… */
  format: string;
  /** RFC 6381 string built from the bytes (avcC, hvcC, esds' AudioSpecificConfig). */
  codecs: string;
  width?: number;
  height?: number;
}

/** The sample entry of an init segment's only track, as a player reads it. */
export function sampleEntry(init: Buffer): SampleEntry {
  const stsd = path(init, 'moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd');
  const [entry] = boxes(stsd, 8); // version+flags, entry count
  assert.ok(entry, 'stsd holds a sample entry');
  const { type: format, body } = entry;
  if (['avc1', 'avc3', 'hvc1', 'hev1'].includes(format)) {
    // VisualSampleEntry: 6 reserved, 2 data reference index, 16 pre-defined, width, height, … 78 bytes.
    const width = body.readUInt16BE(24);
    const height = body.readUInt16BE(26);
    const config = boxes(body, 78);
    if (format.startsWith('avc')) {
      const avcC = config.find((b) => b.type === 'avcC')!.body;
      return {
        format,
        width,
        height,
        codecs: `${format}.${avcC.subarray(1, 4).toString('hex').toUpperCase()}`,
      };
    }
    return { format, width, height, codecs: hevcString(format, config.find((b) => b.type === 'hvcC')!.body) };
  }
  // AudioSampleEntry: 6 reserved, 2 data reference index, 8 reserved, channels, size, 4, rate: 28 bytes.
  const config = boxes(body, 28);
  if (format === 'mp4a') {
    const esds = config.find((b) => b.type === 'esds');
    assert.ok(esds, 'mp4a has an esds');
    return { format, codecs: esdsString(esds.body) };
  }
  const names: Record<string, string> = { 'ac-3': 'ac-3', 'ec-3': 'ec-3', Opus: 'Opus', fLaC: 'fLaC' };
  return { format, codecs: names[format] ?? format };
}

/** ISO/IEC 14496-15 E.3: hvc1.<space><profile>.<compat, bit-reversed hex>.<tier><level>.<constraints>. */
function hevcString(format: string, hvcC: Buffer): string {
  const space = ['', 'A', 'B', 'C'][hvcC[1]! >> 6]!;
  const tier = hvcC[1]! & 0x20 ? 'H' : 'L';
  const profile = hvcC[1]! & 0x1f;
  let compat = hvcC.readUInt32BE(2);
  let reversed = 0;
  for (let i = 0; i < 32; i++) {
    reversed = (reversed << 1) | (compat & 1);
    compat >>>= 1;
  }
  const constraints = [...hvcC.subarray(6, 12)];
  while (constraints.length > 1 && constraints[constraints.length - 1] === 0) constraints.pop();
  const level = hvcC[12]!;
  return [
    format,
    `${space}${profile}`,
    (reversed >>> 0).toString(16).toUpperCase(),
    `${tier}${level}`,
    ...constraints.map((b) => b.toString(16).toUpperCase()),
  ].join('.');
}

/** mp4a.<objectTypeIndication hex>.<audioObjectType from the AudioSpecificConfig>. */
function esdsString(esds: Buffer): string {
  // Descriptors: tag, a size of 1–4 bytes (7 bits each), body.
  const descriptor = (buf: Buffer, at: number) => {
    let pos = at + 1;
    let size = 0;
    for (let i = 0; i < 4; i++) {
      const b = buf[pos++]!;
      size = (size << 7) | (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    return { tag: buf[at]!, body: buf.subarray(pos, pos + size) };
  };
  const es = descriptor(esds, 4); // after version+flags
  assert.equal(es.tag, 3, 'esds holds an ES_Descriptor');
  const flags = es.body[2]!;
  let pos = 3 + (flags & 0x80 ? 2 : 0) + (flags & 0x20 ? 1 + es.body[3]! : 0) + (flags & 0x40 ? 2 : 0);
  const config = descriptor(es.body, pos);
  assert.equal(config.tag, 4, 'an ES_Descriptor holds a DecoderConfigDescriptor');
  const oti = config.body[0]!;
  pos = 13;
  assert.ok(pos < config.body.length, 'the DecoderConfigDescriptor carries a DecoderSpecificInfo (ASC)');
  const specific = descriptor(config.body, pos);
  assert.equal(specific.tag, 5, 'a DecoderSpecificInfo (the AudioSpecificConfig) follows');
  let aot = specific.body[0]! >> 3;
  if (aot === 31) aot = 32 + (((specific.body[0]! & 7) << 3) | (specific.body[1]! >> 5));
  return `mp4a.${oti.toString(16)}.${aot}`;
}

// Packets, as ffprobe sees them.
