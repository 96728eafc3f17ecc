/** The HLS routes' schemas (route-schemas.ts holds the others, schema-answers.ts the shared answer shapes). */
import type { Static } from '@sinclair/typebox';
import { binary, busy, denied, error, text, unknownFile } from './schema-answers.js';
import { CapQuery, Caps, FileParams, InfoHashParam } from './schemas.js';
import { Type } from './typebox.js';

export const HlsQuery = Type.Object({
  audio: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 255,
      description: 'The default audio rendition (index among audio streams)',
    }),
  ),
  caps: Type.Optional(Caps),
  token: Type.Optional(Type.String()),
  cap: CapQuery,
});
export type HlsQuery = Static<typeof HlsQuery>;

export const HlsPartParams = Type.Object({
  infoHash: InfoHashParam,
  index: FileParams.properties.index,
  rendition: Type.String({
    pattern: '^(video-(copy|h264)|audio[0-9]{1,3}-(copy|aac)|subtitles-[fs][0-9]{1,5})$',
    description:
      'video-copy, video-h264, audioN-copy, audioN-aac, subtitles-sN (embedded) or subtitles-fN (a file)',
  }),
  part: Type.String({
    pattern: '^(index\\.m3u8|init\\.mp4|[0-9]{1,6}\\.(m4s|vtt))$',
    description: 'index.m3u8 (the media playlist), init.mp4, N.m4s (a media segment) or N.vtt (subtitles)',
  }),
});
export type HlsPartParams = Static<typeof HlsPartParams>;

const hlsErrors = {
  400: error('A parameter failed validation, or `audio` is past the file’s audio streams'),
  ...denied,
  404: unknownFile,
  415: error('Not a media file, or one that does not say its duration'),
  502: error('FFmpeg failed before the segment was made; `stderr` holds its last lines'),
  503: busy(
    'Too many FFmpeg processes or transcodes, still after a short wait for one to end; or the torrent stopped',
  ),
};

export const hlsMasterRoute = {
  summary: 'HLS multivariant playlist of a file',
  description:
    'A version-7 playlist with one video variant, each audio stream as an AUDIO rendition and text subtitles ' +
    '(embedded, and the torrent’s matching files) as WebVTT SUBTITLES renditions. Streams the client decodes ' +
    '(H.264 8-bit, AAC, and what `caps` lists) are copied, the others encoded to H.264 and AAC. URIs inside are ' +
    'relative and carry this request’s query.',
  tags: ['streaming'],
  params: FileParams,
  querystring: HlsQuery,
  response: { 200: text('The multivariant playlist', 'application/vnd.apple.mpegurl'), ...hlsErrors },
};

export const hlsPartRoute = {
  summary: 'HLS media playlist, init segment or segment',
  description:
    'Media playlists are complete VOD playlists from the first request. Any segment may be asked at any time: it ' +
    'is answered from the cache, from the encoder already making it, or by an encoder started there; viewers of ' +
    'the same rendition share both. The answer never times out while the torrent still delivers data.',
  tags: ['streaming'],
  params: HlsPartParams,
  querystring: HlsQuery,
  response: {
    200: binary('A playlist (application/vnd.apple.mpegurl), fMP4 (video/mp4) or WebVTT (text/vtt)', [
      'application/vnd.apple.mpegurl',
      'video/mp4',
      'text/vtt',
    ]),
    ...hlsErrors,
  },
};
