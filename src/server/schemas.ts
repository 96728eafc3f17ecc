/** Request shapes, validated by Fastify (Ajv) from these TypeBox schemas; failures answer 400 {error}. */
import type { Static } from '@sinclair/typebox';
import { CAPS_MAX_LENGTH } from '../stream/client-caps.js';
import { Type } from './typebox.js';

export const InfoHashParam = Type.String({ pattern: '^[0-9a-fA-F]{40}$' });
const FileIndex = Type.Integer({ minimum: 0, maximum: 1_000_000 });

export const TorrentParams = Type.Object({ infoHash: InfoHashParam });
export type TorrentParams = Static<typeof TorrentParams>;

export const FileParams = Type.Object({ infoHash: InfoHashParam, index: FileIndex });
export type FileParams = Static<typeof FileParams>;

// maxProperties too: Fastify's validator strips unknown properties instead of rejecting them.
export const AddTorrentBody = Type.Object(
  {
    source: Type.String({
      minLength: 1,
      maxLength: 16_384,
      description: 'A magnet URI, an info-hash (40 hex or 32 base32) or an http(s) URL of a .torrent',
    }),
  },
  { additionalProperties: false, maxProperties: 1 },
);
export type AddTorrentBody = Static<typeof AddTorrentBody>;

export const DeleteQuery = Type.Object({
  deleteFiles: Type.Optional(Type.Boolean()),
  token: Type.Optional(Type.String()),
});
export type DeleteQuery = Static<typeof DeleteQuery>;

/** What the client decodes beyond H.264 8-bit and AAC/MP3 (client-caps.ts); absent: a desktop browser. */
export const Caps = Type.String({
  maxLength: CAPS_MAX_LENGTH,
  description:
    'Comma list of what the client decodes beyond H.264 (8-bit) and AAC/MP3: h264-10bit, hevc, av1, vp9, ' +
    'ac3, eac3, opus, flac; unknown words are ignored. Absent: a desktop Chromium/Firefox is assumed',
});

/** A capability handed out for one file instead of the token (capabilities.ts). */
export const CapQuery = Type.Optional(
  Type.String({ maxLength: 64, description: 'A capability for this file, from a share link or an M3U' }),
);

/** A seek position: finite, not negative, and within a day (no film is longer). */
export const Seconds = Type.Number({ minimum: 0, maximum: 86_400 });

export const StreamQuery = Type.Object({
  mode: Type.Optional(
    Type.Union([
      Type.Literal('auto'),
      Type.Literal('direct'),
      Type.Literal('remux'),
      Type.Literal('transcode'),
    ]),
  ),
  t: Type.Optional(Seconds),
  audio: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
  caps: Type.Optional(Caps),
  dlna: Type.Optional(
    Type.Boolean({
      description: 'Answer with DLNA’s transferMode/contentFeatures headers (as the DLNA tree’s URLs do)',
    }),
  ),
  token: Type.Optional(Type.String()),
  cap: CapQuery,
});
export type StreamQuery = Static<typeof StreamQuery>;

export const ProbeQuery = Type.Object({
  caps: Type.Optional(Caps),
  token: Type.Optional(Type.String()),
});
export type ProbeQuery = Static<typeof ProbeQuery>;

export const SubtitleQuery = Type.Object({
  stream: Type.Optional(Type.Integer({ minimum: 0, maximum: 65_535 })),
  t: Type.Optional(Seconds),
  token: Type.Optional(Type.String()),
  cap: CapQuery,
});
export type SubtitleQuery = Static<typeof SubtitleQuery>;

/** PUT …/position: a play position, no further than a day (no film is longer; the route holds it to the file's duration when known). */
export const PositionBody = Type.Object(
  { seconds: { ...Seconds, description: 'Where playback is, in seconds of the file' } },
  { additionalProperties: false },
);
export type PositionBody = Static<typeof PositionBody>;
