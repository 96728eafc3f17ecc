/**
 * MP4/MOV keyframes from the sample tables: a walk of top-level box headers to find moov (first or
 * last), then the first video trak's mdhd timescale, stts (decode durations), ctts (composition offsets),
 * elst (the edit list's shift, e.g. x264's B-frame delay), stss (sync samples) and, for byte offsets,
 * stsc/stsz/stco/co64. Only moov is read, in chunks. Fragmented MP4 (mvex/moof): no global index → null.
 */
import type { KeyframeIndex, ReadAt } from './index.js';
import { type Box, find, fullBoxVersion, header, list, table } from './mp4-read.js';
import { capRegion, KeyframeIndexError, MAX_ENTRIES, Region } from './region.js';

/** A moov over this is not a real one (a 3-hour film's is a few MB). */
const MAX_MOOV = 256 * 1024 * 1024;
const MAX_TOP_LEVEL = 10_000;

export async function readMp4Keyframes(
  read: ReadAt,
  size: number,
  signal?: AbortSignal,
): Promise<KeyframeIndex | null> {
  // Top level: hop header to header (16-byte reads) until moov.
  const top = new Region(read, 0, size, signal, 16);
  let moov: Box | undefined;
  for (let pos = 0, n = 0; pos + 8 <= size && n < MAX_TOP_LEVEL; n++) {
    const box = await header(top, pos, size);
    if (box.type === 'moov') moov = box;
    if (moov || box.type === 'moof') break;
    pos = box.end;
  }
  if (!moov) return null;
  if (moov.end > size) throw new KeyframeIndexError('moov runs past the end of the file');
  capRegion('moov', moov.end - moov.dataStart, MAX_MOOV);
  const r = new Region(read, moov.dataStart, moov.end, signal);
  const kids = await list(r, moov);
  if (find(kids, 'mvex')) return null;
  let movieScale = 0;
  const mvhd = find(kids, 'mvhd');
  if (mvhd) {
    const v = await fullBoxVersion(r, mvhd);
    r.skip(v === 1 ? 16 : 8);
    await r.need(4);
    movieScale = r.u32();
  }
  // A one-sample video track is a cover picture (attached_pic): only the fallback if nothing else.
  let cover: KeyframeIndex | null = null;
  for (const trak of kids.filter((b) => b.type === 'trak')) {
    const trakKids = await list(r, trak);
    const mdia = find(trakKids, 'mdia');
    if (!mdia) continue;
    const mdiaKids = await list(r, mdia);
    const hdlr = find(mdiaKids, 'hdlr');
    if (!hdlr) continue;
    r.seek(hdlr.dataStart + 8);
    await r.need(4);
    if (r.ascii(4) !== 'vide') continue;
    const found = await readTrak(r, trakKids, mdiaKids, movieScale);
    if (!found) continue;
    const { samples, ...result } = found;
    if (samples > 1) return result;
    cover ??= result;
  }
  return cover;
}

async function readTrak(
  r: Region,
  trakKids: Box[],
  mdiaKids: Box[],
  movieScale: number,
): Promise<(KeyframeIndex & { samples: number }) | null> {
  const tkhd = find(trakKids, 'tkhd');
  let track = 0;
  if (tkhd) {
    r.skip((await fullBoxVersion(r, tkhd)) === 1 ? 16 : 8);
    await r.need(4);
    track = r.u32();
  }
  const mdhd = find(mdiaKids, 'mdhd');
  if (!mdhd) throw new KeyframeIndexError('video track without mdhd');
  const v = await fullBoxVersion(r, mdhd);
  r.skip(v === 1 ? 16 : 8);
  await r.need(12);
  const timescale = r.u32();
  const rawDuration = v === 1 ? r.u64() : r.u32();
  if (timescale === 0) throw new KeyframeIndexError('mdhd timescale is 0');
  const duration = rawDuration === 0xffffffff || rawDuration === 0 ? null : rawDuration / timescale;

  // The edit list: empty edits delay the track (movie timescale); the first real one skips media_time.
  let delay = 0;
  let mediaTime = 0;
  const edts = find(trakKids, 'edts');
  const elst = edts && find(await list(r, edts), 'elst');
  if (elst) {
    const ev = await fullBoxVersion(r, elst);
    await r.need(4);
    const count = Math.min(r.u32(), 64);
    for (let i = 0; i < count; i++) {
      await r.need(ev === 1 ? 20 : 12);
      const segment = ev === 1 ? r.u64() : r.u32();
      const time = ev === 1 ? r.i64() : r.i32();
      r.skip(4);
      if (time !== -1) {
        mediaTime = time;
        break;
      }
      if (movieScale > 0) delay += segment / movieScale;
    }
  }

  const minf = find(mdiaKids, 'minf');
  const stbl = minf && find(await list(r, minf), 'stbl');
  if (!stbl) throw new KeyframeIndexError('video track without stbl');
  const st = await list(r, stbl);
  const [sttsCount, sttsDelta] = await table(r, find(st, 'stts'), 2);
  if (!sttsCount || !sttsDelta) throw new KeyframeIndexError('video track without stts');
  let samples = 0;
  for (const c of sttsCount) samples += c >>> 0;
  if (samples === 0) return null; // fragmented or empty: the samples live in moofs
  if (samples > 50 * MAX_ENTRIES) throw new KeyframeIndexError(`stts claims ${samples} samples`);
  const [cttsCount, cttsOffset] = await table(r, find(st, 'ctts'), 2, true);
  const stssBox = find(st, 'stss');
  const [stss] = await table(r, stssBox, 1);
  // No stss: every sample is a sync sample (intra-only video).
  if (!stssBox && samples > MAX_ENTRIES) throw new KeyframeIndexError(`${samples} samples, all sync`);
  const sync = stssBox ? stss! : Int32Array.from({ length: samples }, (_, i) => i + 1);

  const times: number[] = [];
  let run = 0;
  let runFirst = 1;
  let runDts = 0;
  let crun = 0;
  let crunFirst = 1;
  for (let k = 0; k < sync.length; k++) {
    const s = sync[k]! >>> 0;
    if (s < 1 || s > samples || (k > 0 && s <= sync[k - 1]! >>> 0)) {
      throw new KeyframeIndexError(`stss entry ${s} out of order or range`);
    }
    while (s >= runFirst + (sttsCount[run]! >>> 0)) {
      runDts += (sttsCount[run]! >>> 0) * (sttsDelta[run]! >>> 0);
      runFirst += sttsCount[run]! >>> 0;
      run++;
    }
    let offset = 0;
    if (cttsCount && cttsOffset) {
      while (crun < cttsCount.length && s >= crunFirst + (cttsCount[crun]! >>> 0)) {
        crunFirst += cttsCount[crun]! >>> 0;
        crun++;
      }
      offset = cttsOffset[crun] ?? 0;
    }
    const dts = runDts + (s - runFirst) * (sttsDelta[run]! >>> 0);
    times.push((dts + offset - mediaTime) / timescale + delay);
  }
  const byteOffsets = await sampleOffsets(r, st, sync, samples);
  // Sync samples come in decode order; their presentation times only disagree in a broken file.
  const order = times.map((_, i) => i).sort((a, b) => times[a]! - times[b]!);
  return {
    samples,
    track,
    times: order.map((i) => times[i]!),
    duration,
    ...(byteOffsets ? { byteOffsets: order.map((i) => byteOffsets[i]!) } : {}),
  };
}

/** File offsets of the sync samples: chunk offsets (stco/co64) plus the sizes (stsz) before them. */
async function sampleOffsets(
  r: Region,
  st: Box[],
  sync: Int32Array,
  samples: number,
): Promise<number[] | undefined> {
  const [first, perChunk] = await table(r, find(st, 'stsc'), 3);
  const stsz = find(st, 'stsz');
  const co64 = find(st, 'co64');
  if (!first || !perChunk || first.length === 0 || !stsz) return undefined;
  let chunks: Float64Array;
  if (co64) {
    const [hi, lo] = await table(r, co64, 2);
    chunks = Float64Array.from(hi!, (h, i) => (h >>> 0) * 2 ** 32 + (lo![i]! >>> 0));
  } else {
    const [lo] = await table(r, find(st, 'stco'), 1);
    if (!lo) return undefined;
    chunks = Float64Array.from(lo, (l) => l >>> 0);
  }
  r.seek(stsz.dataStart + 4);
  await r.need(8);
  const uniform = r.u32();
  const sizes = uniform === 0 ? (await table(r, { ...stsz, dataStart: stsz.dataStart + 4 }, 1))[0]! : null;
  const out: number[] = [];
  let e = 0;
  let sample = 1;
  for (let c = 1; c <= chunks.length && out.length < sync.length; c++) {
    while (e + 1 < first.length && first[e + 1]! >>> 0 <= c) e++;
    let off = chunks[c - 1]!;
    // A corrupt stsc could claim billions of samples per chunk: never walk past the last sample.
    for (let i = Math.min(perChunk[e]! >>> 0, samples + 1 - sample); i > 0; i--, sample++) {
      if (sync[out.length] === sample) out.push(off);
      off += sizes ? (sizes[sample - 1] ?? 0) >>> 0 : uniform;
    }
  }
  return out.length === sync.length ? out : undefined;
}
