/**
 * DLNA's description of a resource: `protocolInfo` (`http-get:*:MIME:FEATURES`) in the content directory,
 * and the same FEATURES in the `contentFeatures.dlna.org` header. Many TVs refuse a stream whose features
 * do not say it may be streamed and sought with Range.
 */
import { mimeOf } from '../catalog/mime.js';

/**
 * DLNA.ORG_FLAGS: streaming transfer mode (bit 24), background transfer (22), connection stall (21), DLNA 1.5
 * (20), then 24 reserved hex digits.
 */
export const DLNA_FLAGS = '01700000000000000000000000000000';

/** DLNA profile names we can vouch for from the container alone; video profiles depend on codec levels. */
const profiles: Record<string, string> = {
  'audio/mpeg': 'MP3',
  'image/jpeg': 'JPEG_LRG',
  'image/png': 'PNG_LRG',
};

export interface Features {
  /** The original file's bytes, which Range can seek in (DLNA.ORG_OP=01); false for a live transcode. */
  original: boolean;
}

/** The fourth field of protocolInfo, and the value of `contentFeatures.dlna.org`. */
export function contentFeatures(mime: string, features: Features): string {
  const pn = profiles[mime];
  const parts = [
    ...(pn && features.original ? [`DLNA.ORG_PN=${pn}`] : []),
    // OP=01: byte ranges, no time seek. CI=1: converted content.
    features.original ? 'DLNA.ORG_OP=01' : 'DLNA.ORG_OP=00',
    features.original ? 'DLNA.ORG_CI=0' : 'DLNA.ORG_CI=1',
    `DLNA.ORG_FLAGS=${DLNA_FLAGS}`,
  ];
  return parts.join(';');
}

export function protocolInfo(mime: string, features: Features): string {
  return `http-get:*:${mime}:${contentFeatures(mime, features)}`;
}

/** The types a renderer may get from us, for ConnectionManager's GetProtocolInfo (Source). */
export function sourceProtocols(): string {
  const names = ['x.mp4', 'x.mkv', 'x.webm', 'x.avi', 'x.ts', 'x.mpg', 'x.mov', 'x.mp3', 'x.m4a', 'x.flac'];
  const mimes = new Set([...names.map(mimeOf), 'audio/ogg', 'text/vtt']);
  return [...mimes].map((mime) => `http-get:*:${mime}:*`).join(',');
}

/** The headers DLNA renderers look for on a stream (and ask for with `getcontentFeatures.dlna.org: 1`). */
export function dlnaHeaders(mime: string, features: Features): Record<string, string> {
  return {
    'transferMode.dlna.org': 'Streaming',
    'contentFeatures.dlna.org': contentFeatures(mime, features),
  };
}
