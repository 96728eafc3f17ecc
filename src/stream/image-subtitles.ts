/**
 * Bitmap subtitle codecs: pictures, not text, so there is nothing to put in WebVTT. Pure, so the browser UI
 * (which greys them out) and the server (which answers 415) share the one list.
 */
const IMAGE_CODECS = new Set([
  'hdmv_pgs_subtitle',
  'pgssub',
  'dvd_subtitle',
  'dvdsub',
  'dvb_subtitle',
  'xsub',
]);

export function isImageSubtitle(codec: string): boolean {
  return IMAGE_CODECS.has(codec.toLowerCase());
}
