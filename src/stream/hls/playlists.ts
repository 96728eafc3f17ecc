/**
 * The playlists of HLS: one multivariant playlist (one video variant, audio and subtitle renditions) and
 * complete VOD media playlists — every segment listed from the first request, since the cut times are
 * known from the probe and keyframe index before anything is encoded.
 */
import { attributeList, quoted, safeText, withQuery } from './attributes.js';
import { bcp47 } from './language.js';
import type { SegmentTimes } from './segment-times.js';

export interface VideoVariant {
  /** RFC 6381 string (see codec-strings). */
  codecs: string;
  width: number;
  height: number;
  frameRate?: number;
  /** Peak bits per second of the video; AVERAGE-BANDWIDTH uses averageBandwidth when known. */
  bandwidth: number;
  averageBandwidth?: number;
}

export interface AudioRendition {
  id: string | number;
  name: string;
  /** As the container says (ISO 639-2 or BCP-47); mapped to BCP-47, dropped when unknown. */
  language: string | null;
  default: boolean;
  codecs: string;
  channels?: number;
  /** Bits per second; estimated from the channel count when absent. */
  bandwidth?: number;
  uri: string;
}

export interface SubtitleRendition {
  name: string;
  language: string | null;
  default: boolean;
  forced: boolean;
  uri: string;
}

export interface MasterInput {
  /** Null for an audio-only file: the variant is then the default audio rendition's playlist. */
  video: VideoVariant | null;
  audios: AudioRendition[];
  subtitles: SubtitleRendition[];
  videoUri: string;
  /** Appended to every URI (auth token, caps), without the leading '?'. */
  query?: string;
}

const AUDIO_GROUP = 'audio';
const SUBTITLE_GROUP = 'subs';
const yesNo = (b: boolean) => (b ? 'YES' : 'NO');

export function masterPlaylist(input: MasterInput): string {
  const { video, audios, subtitles, query } = input;
  if (!video && audios.length === 0) throw new RangeError('a playlist needs video or audio');
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];

  // Exactly one DEFAULT=YES among the audio: the first flagged default, else the first.
  const audioDefault = Math.max(
    0,
    audios.findIndex((a) => a.default),
  );
  const audioNames = uniqueNames(
    audios.map((a) => a.name),
    'Audio',
  );
  audios.forEach((a, k) => {
    const attrs = attributeList([
      ['TYPE', 'AUDIO'],
      ['GROUP-ID', quoted(AUDIO_GROUP)],
      ['NAME', quoted(audioNames[k]!)],
      // Every audio rendition says its language (the contract's LANGUAGE and NAME): BCP-47's
      // "undetermined" when the container does not tell, never a guess.
      ['LANGUAGE', quoted(bcp47(a.language) ?? 'und')],
      ['DEFAULT', yesNo(k === audioDefault)],
      ['AUTOSELECT', 'YES'],
      ['CHANNELS', a.channels ? quoted(String(a.channels)) : null],
      ['URI', quoted(withQuery(a.uri, query))],
    ]);
    lines.push(`#EXT-X-MEDIA:${attrs}`);
  });

  // At most one DEFAULT=YES among subtitles (the first flagged one): none is shown unless the file asks.
  const subDefault = subtitles.findIndex((s) => s.default);
  const subtitleNames = uniqueNames(
    subtitles.map((s) => s.name),
    'Subtitles',
  );
  subtitles.forEach((s, k) => {
    const attrs = attributeList([
      ['TYPE', 'SUBTITLES'],
      ['GROUP-ID', quoted(SUBTITLE_GROUP)],
      ['NAME', quoted(subtitleNames[k]!)],
      ['LANGUAGE', nullableQuoted(bcp47(s.language))],
      ['DEFAULT', yesNo(k === subDefault)],
      // FORCED=YES requires AUTOSELECT=YES; every rendition may be auto-selected by language anyway.
      ['AUTOSELECT', 'YES'],
      ['FORCED', yesNo(s.forced)],
      ['URI', quoted(withQuery(s.uri, query))],
    ]);
    lines.push(`#EXT-X-MEDIA:${attrs}`);
  });

  // CODECS lists every format any rendition of the variant holds.
  const audioCodecs = [...new Set(audios.map((a) => a.codecs))];
  const audioPeak = Math.max(0, ...audios.map(audioBandwidth));
  const codecs = [...(video ? [video.codecs] : []), ...audioCodecs].join(',');
  const peak = (video?.bandwidth ?? 0) + audioPeak;
  const average = (video?.averageBandwidth ?? video?.bandwidth ?? 0) + audioPeak;
  const inf = attributeList([
    ['BANDWIDTH', Math.round(peak)],
    ['AVERAGE-BANDWIDTH', Math.round(Math.min(average, peak))],
    ['CODECS', quoted(codecs)],
    ['RESOLUTION', video ? `${video.width}x${video.height}` : null],
    ['FRAME-RATE', video?.frameRate && video.frameRate > 0 ? video.frameRate.toFixed(3) : null],
    ['AUDIO', audios.length > 0 ? quoted(AUDIO_GROUP) : null],
    ['SUBTITLES', subtitles.length > 0 ? quoted(SUBTITLE_GROUP) : null],
  ]);
  lines.push(`#EXT-X-STREAM-INF:${inf}`);
  lines.push(withQuery(video ? input.videoUri : audios[audioDefault]!.uri, query));
  return `${lines.join('\n')}\n`;
}

export interface MediaPlaylistInput {
  segmentTimes: SegmentTimes;
  /** Omitted for WebVTT subtitles, which have no init segment. */
  initUri?: string;
  segmentUri: (index: number) => string;
  query?: string;
}

/** A complete VOD media playlist of fMP4 segments behind one EXT-X-MAP. */
export function mediaPlaylist(input: MediaPlaylistInput): string {
  const { segmentTimes, initUri, segmentUri, query } = input;
  const durations = writtenDurations(segmentTimes);
  if (durations.length === 0) throw new RangeError('a media playlist needs segments');
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${targetDuration(durations.map((d) => d / 1000))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  if (initUri !== undefined) lines.push(`#EXT-X-MAP:URI=${quoted(withQuery(initUri, query))}`);
  durations.forEach((d, i) => {
    lines.push(`#EXTINF:${(d / 1000).toFixed(3)},`, withQuery(segmentUri(i), query));
  });
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** The WebVTT playlist of a subtitle rendition: the video's cut times, `.vtt` segments, no MAP. */
export function subtitlePlaylist(input: Omit<MediaPlaylistInput, 'initUri'>): string {
  return mediaPlaylist(input);
}

/**
 * EXTINF values in whole milliseconds, taken between boundaries rounded to the millisecond, so rounding
 * never accumulates: they add up to the duration within 0.5 ms however many segments a film has.
 */
export function writtenDurations(times: SegmentTimes): number[] {
  const { starts, durations } = times;
  const end = starts.length > 0 ? starts[starts.length - 1]! + durations[durations.length - 1]! : 0;
  const edges = [...starts, end].map((t) => Math.round(t * 1000));
  return starts.map((_, i) => edges[i + 1]! - edges[i]!);
}

/**
 * Ceiling of the longest segment as written (3 decimals), so every EXTINF — rounded or not — is at most
 * the target. Rounding first keeps float noise (6.0000001) from raising it to 7.
 */
export function targetDuration(durations: readonly number[]): number {
  const longest = Math.max(...durations.map((d) => Number(d.toFixed(3))));
  return Math.max(1, Math.ceil(longest));
}

/** Names within a group must differ: cleaned, empty ones named by position, repeats numbered. */
function uniqueNames(names: string[], fallback: string): string[] {
  const clean = names.map((n, k) => safeText(n, `${fallback} ${k + 1}`));
  return clean.map((n, k) => (clean.indexOf(n) === k ? n : `${n} (${k + 1})`));
}

function nullableQuoted(value: string | null): string | null {
  return value === null ? null : quoted(value);
}

/** A fair peak for common codecs when the caller does not know: 96 kb/s per channel up to 640. */
function audioBandwidth(a: AudioRendition): number {
  return a.bandwidth ?? Math.min(640_000, 96_000 * (a.channels ?? 2));
}
