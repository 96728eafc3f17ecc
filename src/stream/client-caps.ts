/**
 * What a client decodes beyond the baseline every browser has (8-bit H.264, AAC, MP3): the `caps=` words of
 * /stream and the probe. The plan copies a stream only when the client decodes it.
 */
import type { MediaStream } from './media-info.js';

export const CAP_WORDS = ['h264-10bit', 'hevc', 'av1', 'vp9', 'ac3', 'eac3', 'opus', 'flac'] as const;
export type ClientCap = (typeof CAP_WORDS)[number];
export type ClientCaps = ReadonlySet<ClientCap>;

/**
 * A request without `caps` is taken for a desktop Chromium or Firefox, which decode VP9, AV1, Opus, FLAC and
 * 10-bit H.264: clients that do not say (scripts, older players) keep getting their VP9/Opus WebM directly.
 */
export const DESKTOP_CAPS: ClientCaps = new Set<ClientCap>(['h264-10bit', 'av1', 'vp9', 'opus', 'flac']);

/** Longest `caps=` accepted: every word once, with room for a few unknown ones. */
export const CAPS_MAX_LENGTH = 256;

const KNOWN = new Set<string>(CAP_WORDS);

/** The words of a comma list, case-insensitive, unknown ones dropped; absent (undefined) is the desktop set. */
export function parseCaps(text: string | undefined): ClientCaps {
  if (text === undefined) return DESKTOP_CAPS;
  const words = text.slice(0, CAPS_MAX_LENGTH).toLowerCase().split(',');
  return new Set(words.map((w) => w.trim()).filter((w): w is ClientCap => KNOWN.has(w)));
}

export function decodesVideo(caps: ClientCaps, stream: MediaStream): boolean {
  switch (stream.codec) {
    case 'h264':
      return (stream.bitDepth ?? 8) <= 8 || caps.has('h264-10bit');
    case 'hevc':
    case 'av1':
    case 'vp9':
      return caps.has(stream.codec);
    default:
      return false;
  }
}

export function decodesAudio(caps: ClientCaps, stream: MediaStream): boolean {
  switch (stream.codec) {
    case 'aac':
    case 'mp3':
      return true;
    case 'ac3':
    case 'eac3':
    case 'opus':
    case 'flac':
      return caps.has(stream.codec);
    default:
      return false;
  }
}
