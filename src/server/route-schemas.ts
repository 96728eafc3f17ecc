/**
 * The route schemas: what Fastify validates requests against and serializes answers through, plus the words
 * @fastify/swagger puts into GET /api/openapi.json. One object per route; docs/api.md is the prose version.
 */
import type { TSchema } from '@sinclair/typebox';
import { Health, Probe, Torrent } from './api-schemas.js';
import { badRequest, binary, busy, denied, error, text, unknownFile } from './schema-answers.js';
import {
  AddTorrentBody,
  DeleteQuery,
  FileParams,
  ProbeQuery,
  StreamQuery,
  SubtitleQuery,
  TorrentParams,
} from './schemas.js';
import { Type } from './typebox.js';

const unknownTorrent = error('No such torrent');

export const healthRoute = {
  summary: 'Liveness and versions',
  description: 'Answers without a token, so monitors need none.',
  tags: ['server'],
  security: [],
  response: { 200: { ...Health, description: 'The server runs' }, 403: denied[403] },
};

export const openApiRoute = {
  summary: 'This API as an OpenAPI 3.1 document',
  description: 'Generated from the same schemas that validate the requests.',
  tags: ['server'],
  response: {
    200: Type.Object({}, { additionalProperties: true, description: 'The OpenAPI document' }),
    ...denied,
  },
};

export const metricsRoute = {
  summary: 'Metrics for Prometheus',
  description:
    'Torrents, peers, stalls, bytes in and out, streams by mode, FFmpeg processes and stream start phases, ' +
    'in the Prometheus text format (version 0.0.4). Behind the token like the API.',
  tags: ['server'],
  produces: ['text/plain'],
  response: { 200: Type.String({ description: 'Prometheus text exposition' }), ...denied },
};

/** The bytes of a .torrent: no `type`, since the validator sees a Buffer, not a string. */
const TorrentBytes: TSchema = Type.Unsafe({ description: 'The bytes of a .torrent file (up to 10 MiB)' });

export const addTorrentRoute = {
  summary: 'Add a torrent',
  description:
    'From a magnet URI, an info-hash (40 hex or 32 base32), an http(s) URL of a .torrent, or the bytes of one.',
  tags: ['torrents'],
  body: {
    content: {
      'application/json': { schema: AddTorrentBody },
      'application/x-bittorrent': { schema: TorrentBytes },
    },
  },
  response: {
    200: { ...Torrent, description: 'The torrent was known already' },
    201: { ...Torrent, description: 'The torrent was added' },
    400: error('The source is missing, malformed, or not a torrent, or a name is over 1024 bytes'),
    ...denied,
    413: error('The torrent has over 10 000 files or 131 072 pieces, or is over 10 MiB'),
    503: error('The server runs without a torrent engine'),
  },
};

export const listTorrentsRoute = {
  summary: 'List the torrents',
  description: 'Without `files[].downloaded` and `files[].readers`, which only the single torrent carries.',
  tags: ['torrents'],
  response: {
    200: Type.Array(Torrent, { description: 'Every torrent (local files first), in the order added' }),
    ...denied,
  },
};

export const getTorrentRoute = {
  summary: 'One torrent, with its download state',
  description: 'Adds `files[].downloaded` (verified byte ranges) and `files[].readers` (where streams read).',
  tags: ['torrents'],
  params: TorrentParams,
  response: {
    200: { ...Torrent, description: 'The torrent' },
    400: badRequest,
    ...denied,
    404: unknownTorrent,
  },
};

export const deleteTorrentRoute = {
  summary: 'Remove a torrent',
  description:
    'Stops it and cuts every open request on it (streams, probes, subtitles, covers, HLS), stopping their FFmpeg; ' +
    '`deleteFiles=true` also deletes what it downloaded.',
  tags: ['torrents'],
  params: TorrentParams,
  querystring: DeleteQuery,
  response: {
    204: { type: 'null', description: 'Removed' },
    400: badRequest,
    ...denied,
    404: unknownTorrent,
  },
};

export const probeRoute = {
  summary: 'What a file holds, and how it would stream',
  description:
    'Runs ffprobe on the file’s first megabytes (waiting for them to download). `plan` is the mode `auto` ' +
    'picks for a client that decodes what `caps` lists.',
  tags: ['torrents'],
  params: FileParams,
  querystring: ProbeQuery,
  response: {
    200: { ...Probe, description: 'The probe' },
    400: badRequest,
    ...denied,
    404: unknownFile,
    415: error('Not a media file ffprobe can read'),
    503: error('The torrent stopped (e.g. the disk is full)'),
  },
};

export const playlistRoute = {
  summary: 'An M3U playlist of the torrent’s videos, then its music',
  description:
    'For mpv or VLC: `mode=direct` entries, the original bytes with Range; with a token set each entry carries a capability for its file (never the token).',
  tags: ['torrents'],
  params: TorrentParams,
  response: {
    200: text('The playlist', 'audio/x-mpegurl'),
    400: badRequest,
    ...denied,
    404: unknownTorrent,
  },
};

export const streamRoute = {
  summary: 'Play a file',
  description:
    '`direct` sends the file’s bytes with Range support (`mode=direct`: no probe first); `remux` and `transcode` ' +
    'send fragmented MP4 from FFmpeg, starting at `t` seconds with the `audio`-th audio stream. `auto` picks the ' +
    'cheapest the client plays: streams it decodes (H.264 8-bit, AAC, MP3, and what `caps` lists) are copied.',
  tags: ['streaming'],
  params: FileParams,
  querystring: StreamQuery,
  response: {
    200: {
      ...binary('The whole file (direct) or the stream from FFmpeg', ['video/mp4', 'video/*', 'audio/*']),
      headers: {
        'X-Stream-Mode': { type: 'string', description: 'direct, remux or transcode' },
        'X-Content-Duration': { type: 'string', description: 'Seconds of media from the start, once probed' },
        'X-Stream-Start': {
          type: 'string',
          description:
            'remux and transcode: the second of the file that output time 0 is (3 decimals). Copied video ' +
            'starts at the keyframe at or before `t`, so this may be earlier than `t`',
        },
      },
    },
    206: {
      ...binary('The requested byte range (direct only)', ['video/*', 'audio/*']),
      headers: { 'Content-Range': { type: 'string' } },
    },
    400: error('A parameter failed validation, or `audio` is past the file’s audio streams'),
    ...denied,
    404: unknownFile,
    415: error('Not a media file'),
    416: error('The Range lies outside the file (direct only)'),
    502: error('FFmpeg failed before its first byte; `stderr` holds its last lines'),
    503: busy(
      'Too many FFmpeg processes or transcodes, still after a short wait for one to end; or the torrent stopped',
    ),
  },
};

export const subtitlesRoute = {
  summary: 'Subtitles as WebVTT',
  description:
    'With `stream=N`: the embedded text subtitle stream N (absolute index, as the probe lists it) of video file ' +
    ':index. Without: subtitle file :index of the torrent (.srt, .vtt, .ass, .ssa). `t` shifts cues for a ' +
    'stream started at t seconds.',
  tags: ['streaming'],
  params: FileParams,
  querystring: SubtitleQuery,
  response: {
    200: {
      ...text('The cues (embedded streams arrive as FFmpeg reads on)', 'text/vtt'),
      headers: { 'X-Subtitle-Charset': { type: 'string', description: 'The file’s detected encoding' } },
    },
    400: error('Not a subtitle file, not a subtitle stream, or a parameter failed validation'),
    ...denied,
    404: error('No such torrent, file, or stream; `subtitleStreams` lists the subtitle streams'),
    413: error('The subtitle file is over 16 MiB'),
    415: error('Image subtitles (PGS, DVD), which have no text'),
    422: error('The subtitle file could not be converted (within 30 s)'),
    503: busy('Too many FFmpeg processes or subtitle conversions already, or the torrent stopped'),
  },
};

export const coverRoute = {
  summary: 'The cover picture of a music file',
  description: 'Its embedded picture (attached_pic), as JPEG or PNG; the web player shows it as the poster.',
  tags: ['streaming'],
  params: FileParams,
  response: {
    200: binary('The picture', ['image/jpeg', 'image/png']),
    400: badRequest,
    ...denied,
    404: error('No such file, or it has no cover picture'),
    415: error('Not a media file ffprobe can read'),
    422: error('The picture could not be extracted'),
    503: busy('The FFmpeg limit is reached, or the torrent stopped'),
  },
};

const page = (summary: string) => ({
  summary,
  description: 'The web UI’s HTML; its scripts and styles come from /assets/.',
  tags: ['web'],
  response: { 200: text('The page', 'text/html'), ...denied },
});

export const homeRoute = page('The web UI');

export const playerRoute = {
  ...page('The web UI’s player for one file'),
  // Loose on purpose: the page answers any address and the UI shows what is wrong with it.
  params: Type.Object({ infoHash: Type.String(), index: Type.String() }),
};
