/**
 * Shared by the HLS tests (test/hls): an HLS client over the real server (playlists parsed the way a player
 * reads them), the init segment's sample entry turned into the RFC 6381 string and picture size it really
 * holds, and packet timelines read by ffprobe with the checks the contract asks of them (no hole or
 * overlap beyond one frame, keyframes where segments start).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bufferSource } from '../../src/stream/data-source.js';
import { tsLayout, withoutServiceNames } from '../../src/stream/ts-service-filter.js';
import { tools } from '../helpers/media.js';

const run = promisify(execFile);

/** Attributes of a tag line (`KEY=value,KEY="quoted, value"`), quotes removed. */
export function attributes(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const payload = line.slice(line.indexOf(':') + 1);
  for (const match of payload.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    out[match[1]!] = match[2]!.replace(/^"|"$/g, '');
  }
  return out;
}

export interface Master {
  text: string;
  variant: Record<string, string>;
  variantUri: string;
  audios: Array<Record<string, string>>;
}

export function parseMaster(text: string): Master {
  const lines = text.split('\n').filter((l) => l.length > 0);
  assert.equal(lines[0], '#EXTM3U');
  const inf = lines.findIndex((l) => l.startsWith('#EXT-X-STREAM-INF:'));
  assert.ok(inf > 0 && lines[inf + 1] && !lines[inf + 1]!.startsWith('#'), `one variant:\n${text}`);
  return {
    text,
    variant: attributes(lines[inf]!),
    variantUri: lines[inf + 1]!,
    audios: lines
      .filter((l) => l.startsWith('#EXT-X-MEDIA:'))
      .map(attributes)
      .filter((a) => a.TYPE === 'AUDIO'),
  };
}

export interface MediaPlaylist {
  text: string;
  lines: string[];
  targetDuration: number;
  map: string;
  durations: number[];
  segments: string[];
}

export function parseMedia(text: string): MediaPlaylist {
  const lines = text.split('\n').filter((l) => l.length > 0);
  assert.equal(lines[0], '#EXTM3U');
  const durations: number[] = [];
  const segments: string[] = [];
  let map = '';
  let targetDuration = Number.NaN;
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MAP:')) map = attributes(line).URI ?? '';
    else if (line.startsWith('#EXTINF:')) {
      durations.push(Number.parseFloat(line.slice(8)));
      segments.push(lines[i + 1]!);
    }
  }
  return { text, lines, targetDuration, map, durations, segments };
}

/** Fetches relative to a base URL, the way a player resolves playlist URIs; asserts 200. */
export class HlsClient {
  constructor(readonly masterUrl: string) {}

  url(uri: string, from = this.masterUrl): string {
    return new URL(uri, from).href;
  }

  async text(uri: string, from?: string): Promise<string> {
    const response = await fetch(this.url(uri, from));
    const body = await response.text();
    assert.equal(response.status, 200, `${uri}: ${body}`);
    return body;
  }

  async bytes(uri: string, from?: string): Promise<Buffer> {
    const response = await fetch(this.url(uri, from));
    const body = Buffer.from(await response.arrayBuffer());
    assert.equal(response.status, 200, `${uri}: ${body.toString().slice(0, 500)}`);
    return body;
  }

  master(): Promise<Master> {
    return this.text(this.masterUrl).then(parseMaster);
  }

  /** A media playlist (a URI of the master), with its absolute URL to resolve its own URIs against. */
  async media(uri: string): Promise<MediaPlaylist & { url: string }> {
    const url = this.url(uri);
    return { ...parseMedia(await this.text(url)), url };
  }
}

// ISO-BMFF, as much as the init segment's sample entry needs.

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

export interface Packet {
  stream: number;
  /** The stream's codec_type: video, audio. */
  kind: string;
  pts: number;
  dts: number;
  duration: number;
  key: boolean;
}

/** Every packet of a file or URL (stream index, times in seconds, keyframe flag), in file order. */
/**
 * What ffprobe can read: an MPEG-TS goes through the product's SDT filter first (a copy beside it), since
 * the npm ffprobe crashes decoding TS service names (src/stream/ts-service-filter.ts).
 */
async function probeable(file: string): Promise<string> {
  if (!file.endsWith('.ts')) return file;
  const bytes = await readFile(file);
  const layout = tsLayout(bytes.subarray(0, 64 * 1024));
  if (!layout) return file;
  const filtered = withoutServiceNames(bufferSource(bytes, file), layout);
  const copy = `${file}.nosdt.ts`;
  await writeFile(copy, await filtered.read(0, bytes.length));
  return copy;
}

export async function packets(file: string, select?: string): Promise<Packet[]> {
  const { ffprobe } = await tools();
  const input = await probeable(file);
  const { stdout } = await run(
    ffprobe,
    [
      ...['-v', 'error', ...(select ? ['-select_streams', select] : [])],
      ...[
        '-show_entries',
        'packet=stream_index,pts_time,dts_time,duration_time,flags:stream=index,codec_type',
      ],
      ...['-of', 'json', input],
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const json = JSON.parse(stdout) as {
    packets?: Array<Record<string, string | number>>;
    streams?: Array<{ index: number; codec_type: string }>;
  };
  const kinds = new Map((json.streams ?? []).map((s) => [s.index, s.codec_type]));
  return (json.packets ?? []).map((p) => ({
    stream: Number(p.stream_index),
    kind: kinds.get(Number(p.stream_index)) ?? '',
    pts: Number(p.pts_time),
    dts: Number(p.dts_time),
    duration: Number(p.duration_time),
    key: String(p.flags).includes('K'),
  }));
}

/** Writes the init segment and segments behind it into one file (what a player's buffer holds). */
export async function joined(dir: string, name: string, init: Buffer, segments: Buffer[]): Promise<string> {
  const file = join(dir, `${name}.mp4`);
  await writeFile(file, Buffer.concat([init, ...segments]));
  return file;
}

export interface Timeline {
  /** Presentation start of the first packet and end of the last (pts + duration), in seconds. */
  start: number;
  end: number;
  /** The usual packet duration: what "one frame" is. */
  frame: number;
  count: number;
}

/**
 * Asserts one stream's packets, in presentation order, follow each other without a hole or an overlap
 * longer than one frame, and that no presentation time repeats. Returns the span they cover.
 */
export function assertContinuous(list: Packet[], what: string): Timeline {
  assert.ok(list.length > 0, `${what}: no packets`);
  const sorted = [...list].sort((a, b) => a.pts - b.pts);
  // ffprobe gives no duration for some packets in fMP4 (FLAC, Opus): then one frame is the usual step.
  const steps = sorted.slice(1).map((p, i) => p.pts - sorted[i]!.pts);
  const frame = median(sorted.map((p) => p.duration).filter((d) => d > 0)) || median(steps);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const step = sorted[i]!.pts - previous.pts;
    const expected = previous.duration > 0 ? previous.duration : frame;
    assert.ok(
      step > expected / 2 && step <= expected * 2 + 0.001,
      `${what}: packet at ${sorted[i]!.pts.toFixed(3)} s follows one at ${previous.pts.toFixed(3)} s lasting ` +
        `${expected.toFixed(3)} s (a ${step > expected ? 'hole' : 'overlap'})`,
    );
  }
  const last = sorted[sorted.length - 1]!;
  return { start: sorted[0]!.pts, end: last.pts + (last.duration || frame), frame, count: sorted.length };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Seconds of a file as ffprobe tells them (format duration). */
export async function fileDuration(file: string): Promise<number> {
  const { ffprobe } = await tools();
  const { stdout } = await run(ffprobe, [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    await probeable(file),
  ]);
  return Number(stdout.trim());
}

/** Runs FFmpeg, returning its stderr (the caller asserts it is empty: no decode error). */
export async function ffmpegRun(args: string[]): Promise<string> {
  const { ffmpeg } = await tools();
  const { stderr } = await run(ffmpeg, ['-hide_banner', '-v', 'error', ...args], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stderr;
}

/**
 * How many frames a video's packets span at its frame rate, first to last: what an encode at that constant
 * rate holds (a dropped frame in the source, as AVIs have, is a frame of the encode).
 */
export function frameSlots(list: Packet[], frameRate: number): number {
  const pts = list.map((p) => p.pts).sort((a, b) => a - b);
  return Math.round((pts[pts.length - 1]! - pts[0]!) * frameRate) + 1;
}

/** The video's frame rate (r_frame_rate) as ffprobe reads it. */
export async function frameRate(file: string): Promise<number> {
  const { ffprobe } = await tools();
  const { stdout } = await run(ffprobe, [
    ...[
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=r_frame_rate',
      '-of',
      'csv=p=0',
      await probeable(file),
    ],
  ]);
  const [num, den] = stdout.trim().split('/').map(Number);
  return num! / (den || 1);
}
