/**
 * RFC 6381 codec strings for the multivariant playlist's CODECS, from what the segments really hold.
 * A player drops a variant whose CODECS it cannot decode, so these must match the bitstream.
 *
 * Copied streams need two probe fields beyond MediaStream's today (the route adds them from ffprobe):
 * `profile` — ffprobe's profile string ('High', 'Main', 'High 10', 'Constrained Baseline', 'HE-AAC',
 * 'Main 10', 'Profile 0'…) — and `level` — ffprobe's level int (H.264: 40 for 4.0; HEVC:
 * general_level_idc, 120 for 4.0; AV1: seq_level_idx). Unknown values fall back to documented
 * conservative strings.
 */
import { h264Level } from './h264-level.js';

export interface CodecFacts {
  /** ffprobe codec_name: 'h264', 'hevc', 'av1', 'vp9', 'aac', 'ac3', 'eac3', 'opus', 'flac', 'mp3'. */
  codec: string;
  profile?: string | null;
  level?: number | null;
  width?: number;
  height?: number;
  frameRate?: number;
  bitDepth?: number;
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

/** Our own H.264 encode: libx264 High profile, with the level from resolution and rate (pass it to -level). */
export function encodedH264(width: number, height: number, frameRate?: number): string {
  return `avc1.6400${hex2(h264Level(width, height, frameRate))}`;
}

/**
 * profile_idc and constraint-flags byte for ffprobe's H.264 profile names. The probe does not see the
 * flags, so each profile gets those true of every stream of it, which are also what x264 writes: a
 * Constrained Baseline stream conforms to Baseline and Main (set0, set1: C0), a Main one to Main (40).
 */
const H264_PROFILES: Record<string, readonly [number, number]> = {
  'constrained baseline': [0x42, 0xc0],
  baseline: [0x42, 0x00],
  main: [0x4d, 0x40],
  extended: [0x58, 0x00],
  high: [0x64, 0x00],
  'high 10': [0x6e, 0x00],
  'high 10 intra': [0x6e, 0x10],
  'high 4:2:2': [0x7a, 0x00],
  'high 4:2:2 intra': [0x7a, 0x10],
  'high 4:4:4 predictive': [0xf4, 0x00],
  'high 4:4:4 intra': [0xf4, 0x10],
};

/**
 * Copied H.264. Without a known profile: High (High 10 above 8 bits), the superset most files use. Without
 * a level: the one resolution and rate need. ffprobe's level is the SPS level_idc as stored (9 for a High
 * profile's level 1b), which is what the string's last byte must be, so it is used unchanged.
 */
export function copiedH264(f: CodecFacts): string {
  const known = f.profile ? H264_PROFILES[f.profile.toLowerCase()] : undefined;
  const [idc, flags] = known ?? ((f.bitDepth ?? 8) > 8 ? [0x6e, 0] : [0x64, 0]);
  const fromSize = () => h264Level(f.width ?? 1920, f.height ?? 1080, f.frameRate);
  const level = f.level && f.level > 0 ? f.level : fromSize();
  return `avc1.${hex2(idc)}${hex2(flags)}${hex2(level)}`;
}

/** general_profile_idc and the bit-reversed compatibility flags (as hex) of HEVC's common profiles. */
const HEVC_PROFILES: Record<string, readonly [number, string]> = {
  main: [1, '6'],
  'main 10': [2, '4'],
  'main still picture': [3, '8'],
  rext: [4, '10'],
};

/**
 * Copied HEVC as `hvc1` (the tag our fMP4 writes). ffprobe does not report the tier: Main tier (L) is
 * assumed, which nearly every file uses. Constraint byte: 90 (progressive source, frame only), what x265
 * writes for progressive video (it leaves non-packed unset, so Apple's example B0 would not match). Without a level: from the picture size (3.1 up to 720p,
 * 4.1 to 1080p, 5.1 to 2160p, 6.1 beyond); without a profile: Main, or Main 10 above 8 bits.
 */
export function copiedHevc(f: CodecFacts): string {
  const known = f.profile ? HEVC_PROFILES[f.profile.toLowerCase()] : undefined;
  const [idc, compat] = known ?? ((f.bitDepth ?? 8) > 8 ? HEVC_PROFILES['main 10']! : HEVC_PROFILES.main!);
  return `hvc1.${idc}.${compat}.L${f.level && f.level > 0 ? f.level : hevcLevel(f)}.90`;
}

function hevcLevel(f: CodecFacts): number {
  const samples = (f.width ?? 1920) * (f.height ?? 1080);
  if (samples <= 983040) return 93;
  if (samples <= 2228224) return 123;
  if (samples <= 8912896) return 153;
  return 183;
}

/**
 * AV1: `av01.P.LLT.DD`. Profile from 'Main'/'High'/'Professional', level from seq_level_idx; without
 * one, 08 (level 4.0, 1080p60). Tier Main. Bit depth 8 unless the probe says 10 or 12.
 */
export function copiedAv1(f: CodecFacts): string {
  const profile = { main: 0, high: 1, professional: 2 }[(f.profile ?? 'main').toLowerCase()] ?? 0;
  const level = f.level != null && f.level >= 0 && f.level < 32 ? f.level : 8;
  return `av01.${profile}.${String(level).padStart(2, '0')}M.${String(f.bitDepth ?? 8).padStart(2, '0')}`;
}

/**
 * VP9: `vp09.PP.LL.DD`. Profile from 'Profile N'; ffprobe gives no usable VP9 level (it says -99), so 40
 * (level 4.0, 1080p30) unless one is known, or 50 above 1080p.
 */
export function copiedVp9(f: CodecFacts): string {
  const profile = Number(/profile\s*(\d)/i.exec(f.profile ?? '')?.[1] ?? 0);
  const big = (f.width ?? 0) * (f.height ?? 0) > 2228224;
  const level = f.level != null && f.level > 0 ? f.level : big ? 50 : 40;
  return `vp09.0${profile}.${level}.${String(f.bitDepth ?? 8).padStart(2, '0')}`;
}

/** Audio codec strings; the AAC object type follows ffprobe's profile ('LC', 'HE-AAC', 'HE-AACv2'). */
export function audioCodec(f: CodecFacts): string | null {
  switch (f.codec) {
    case 'aac': {
      const p = (f.profile ?? '').toLowerCase();
      return p === 'he-aacv2' ? 'mp4a.40.29' : p === 'he-aac' ? 'mp4a.40.5' : 'mp4a.40.2';
    }
    case 'ac3':
      return 'ac-3';
    case 'eac3':
      return 'ec-3';
    case 'opus':
      return 'Opus';
    case 'flac':
      return 'fLaC';
    case 'mp3':
      return 'mp4a.40.34';
    default:
      return null;
  }
}

/**
 * The codec string of a copied stream, or null when fMP4 HLS cannot carry it (the caller encodes it).
 * WebVTT subtitles are not listed in CODECS, so text subtitles give null too.
 */
export function codecString(f: CodecFacts): string | null {
  switch (f.codec) {
    case 'h264':
      return copiedH264(f);
    case 'hevc':
      return copiedHevc(f);
    case 'av1':
      return copiedAv1(f);
    case 'vp9':
      return copiedVp9(f);
    default:
      return audioCodec(f);
  }
}
