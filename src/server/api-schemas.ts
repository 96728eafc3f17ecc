/**
 * Response shapes of the JSON routes, in TypeBox. Fastify serializes answers through them, and
 * fast-json-stringify drops any field a schema does not name, so they list every field the handlers send;
 * test/server/openapi.test.ts holds them to the TypeScript types they mirror. docs/api.md explains them.
 */
import type { TSchema } from '@sinclair/typebox';
import { Type } from './typebox.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Every error answer: `error` for people, and sometimes details (`stderr`, `code`, `subtitleStreams`). */
export const ErrorBody = Type.Object(
  { error: Type.String({ description: 'What went wrong, for people' }) },
  { additionalProperties: true, description: 'An error' },
);

export const Health = Type.Object({
  ok: Type.Boolean(),
  version: Type.String({ description: "streamtide's version" }),
  ffmpeg: Type.String({ description: "The FFmpeg in use (its version line's first words)" }),
});

const ByteRange = Type.Array(Type.Integer({ minimum: 0 }), {
  minItems: 2,
  maxItems: 2,
  description: 'Inclusive [first, last] byte offsets',
});

/** A file's last play position (GET/PUT …/files/:index/position, and each file of the torrent object). */
export const Position = Type.Object({
  seconds: Type.Number({
    minimum: 0,
    description: 'Where playback stopped, in seconds of the file (0: never played)',
  }),
  duration: Type.Optional(
    Type.Number({ minimum: 0, description: 'The file’s duration in seconds, when the server had probed it' }),
  ),
  updatedAt: Type.Optional(Type.String({ description: 'When it was saved (ISO 8601); absent when never' })),
});

export const TorrentFile = Type.Object({
  index: Type.Integer({ minimum: 0, description: 'Position in the torrent: the :index of the file routes' }),
  name: Type.String(),
  path: Type.String({ description: 'Path inside the torrent, with forward slashes' }),
  length: Type.Integer({ minimum: 0, description: 'Bytes' }),
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  mime: Type.String({ description: 'Guessed from the name' }),
  streamUrl: Type.String({ description: 'Absolute URL of GET /stream/:infoHash/:index' }),
  hlsUrl: Type.String({ description: 'Absolute URL of GET /hls/:infoHash/:index/master.m3u8 (HLS)' }),
  downloaded: Type.Optional(
    Type.Array(ByteRange, { description: 'Verified byte ranges (only from GET /api/torrents/:infoHash)' }),
  ),
  readers: Type.Optional(
    Type.Array(Type.Integer({ minimum: 0 }), {
      description: 'Offsets live streams have reached (only from GET /api/torrents/:infoHash)',
    }),
  ),
  position: Type.Optional({
    ...Position,
    description: 'Where playback last stopped; absent when never played',
  }),
});

const Phase = (description: string) => Type.Optional(Type.Integer({ minimum: 0, description }));

/** Milliseconds from the start's reference: the torrent's add for a cold start, else the request. */
const LastStart = Type.Object(
  {
    at: Type.String({ description: 'When the start was asked for (ISO 8601)' }),
    file: Type.Integer({ minimum: 0, description: 'The file streamed' }),
    mode: Type.Union([StreamMode(), Type.Literal('hls')]),
    phases: Type.Object({
      added: Phase('The torrent added (0; cold starts only)'),
      metadata: Phase('Its metadata in (cold starts only)'),
      firstByte: Phase("The file's first bytes read back"),
      probed: Phase('The probe done'),
      firstOut: Phase('The first fragment, HLS segment or direct byte answered'),
    }),
  },
  { description: "The entry's last stream start (not listed before one)" },
);

export const Torrent = Type.Object({
  infoHash: Type.String({ pattern: '^[0-9a-f]{40}$' }),
  name: Type.String(),
  ready: Type.Boolean({ description: 'Metadata is known: files and lengths are filled in' }),
  length: Type.Integer({ minimum: 0, description: 'Bytes (0 until ready)' }),
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  downloadSpeed: Type.Number({ minimum: 0, description: 'Bytes per second' }),
  uploadSpeed: Type.Number({ minimum: 0, description: 'Bytes per second' }),
  numPeers: Type.Integer({ minimum: 0 }),
  stallReason: Nullable(
    Type.String({
      description: 'Why a reader waits ("no peers", "fetching metadata"…); null when none waits',
    }),
  ),
  error: Type.Optional(Type.String({ description: 'Why the torrent stopped (e.g. a full disk)' })),
  lastStart: Type.Optional(LastStart),
  files: Type.Array(TorrentFile, { description: 'Empty until ready' }),
});

export const ProbeStream = Type.Object({
  index: Type.Integer({
    minimum: 0,
    description: 'Absolute stream index: what `stream=` of /subtitles takes',
  }),
  type: Type.Union([
    Type.Literal('video'),
    Type.Literal('audio'),
    Type.Literal('subtitle'),
    Type.Literal('data'),
    Type.Literal('attachment'),
  ]),
  codec: Type.String(),
  language: Nullable(Type.String()),
  title: Nullable(Type.String()),
  channels: Type.Optional(Type.Integer()),
  width: Type.Optional(Type.Integer()),
  height: Type.Optional(Type.Integer()),
  default: Type.Boolean(),
  forced: Type.Boolean(),
  attachedPic: Type.Optional(Type.Boolean({ description: 'A cover picture, not the video' })),
  hasBFrames: Type.Optional(Type.Boolean({ description: 'Video with B-frames (reordered frames)' })),
  interlaced: Type.Optional(
    Type.String({ description: 'The field order of interlaced video: tt, bb, tb or bt' }),
  ),
  bitDepth: Type.Optional(Type.Integer({ minimum: 1, description: 'Video: bits per sample (8, 10…)' })),
  codecTag: Type.Optional(
    Type.String({ description: 'Video: the container’s codec tag (MP4’s sample entry: avc1, hvc1, hev1…)' }),
  ),
  profile: Type.Optional(Type.String({ description: 'The codec profile (High, Main 10, LC…)' })),
  level: Type.Optional(Type.Integer({ description: 'The codec level as stored (H.264: 40 is 4.0)' })),
  frameRate: Type.Optional(Type.Number({ description: 'Video: frames per second' })),
});

export const SubtitleFileMatch = Type.Object({
  index: Type.Integer({ minimum: 0, description: 'The subtitle file’s index in the torrent' }),
  name: Type.String(),
  language: Nullable(Type.String()),
});

function StreamMode() {
  return Type.Union([Type.Literal('direct'), Type.Literal('remux'), Type.Literal('transcode')]);
}

export const StreamModeName = StreamMode();

export const Probe = Type.Object({
  container: Type.String({ description: "Short container name: 'mp4', 'matroska', 'webm', 'avi'…" }),
  duration: Nullable(Type.Number({ minimum: 0, description: 'Seconds' })),
  streams: Type.Array(ProbeStream),
  subtitleFiles: Type.Array(SubtitleFileMatch, {
    description: 'Subtitle files of the torrent that belong to this video',
  }),
  plan: StreamModeName,
});
