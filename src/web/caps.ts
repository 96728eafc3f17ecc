/**
 * What this browser decodes beyond H.264 8-bit and AAC/MP3, as the server's `caps=` words, so its plans
 * copy what the browser plays and transcode only the rest. Asked once: the answers do not change.
 */

/** Each word with an MP4 codec string the browser is asked about (as FFmpeg's fragmented MP4 carries it). */
export const CAP_QUERIES: ReadonlyArray<readonly [word: string, type: string]> = [
  ['h264-10bit', 'video/mp4; codecs="avc1.6e001e"'], // High 10
  ['hevc', 'video/mp4; codecs="hvc1.1.6.L93.B0"'],
  ['av1', 'video/mp4; codecs="av01.0.05M.08"'],
  ['vp9', 'video/mp4; codecs="vp09.00.10.08"'],
  ['ac3', 'video/mp4; codecs="ac-3"'],
  ['eac3', 'video/mp4; codecs="ec-3"'],
  ['opus', 'video/mp4; codecs="opus"'],
  ['flac', 'video/mp4; codecs="flac"'],
];

/** The comma list of words whose type `supports` accepts (possibly empty). */
export function capsFrom(supports: (type: string) => boolean): string {
  return CAP_QUERIES.filter(([, type]) => supports(type))
    .map(([word]) => word)
    .join(',');
}

let cached: string | undefined;

/**
 * MediaSource's answer where there is one; else (Safari on iOS before ManagedMediaSource) the video
 * element's, where "maybe" counts as yes, as it does for the codecs a browser lists.
 */
export function browserCaps(): string {
  if (cached !== undefined) return cached;
  const mse =
    globalThis.MediaSource ?? (globalThis as { ManagedMediaSource?: typeof MediaSource }).ManagedMediaSource;
  const video = document.createElement('video');
  cached = capsFrom((type) => (mse ? mse.isTypeSupported(type) : video.canPlayType(type) !== ''));
  return cached;
}
