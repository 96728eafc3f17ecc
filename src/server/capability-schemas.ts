/** Schemas of the share and capability routes (routes/capabilities.ts); route-schemas.ts holds the others. */

import { badRequest, denied, error } from './schema-answers.js';
import { FileParams } from './schemas.js';
import { Type } from './typebox.js';

export const Share = Type.Object({
  streamUrl: Type.String({
    description:
      'Absolute URL of the file’s original bytes (mode=direct), with a capability when a token is set',
  }),
  playlistUrl: Type.String({
    description: 'Absolute URL of the torrent’s M3U, with a capability when a token is set',
  }),
});

const Issued = Type.Object({
  kind: Type.Union([Type.Literal('file'), Type.Literal('playlist')]),
  infoHash: Type.String(),
  index: Type.Optional(Type.Integer({ minimum: 0 })),
  issuedAt: Type.String({ format: 'date-time', description: 'When it was last handed out' }),
});

export const CapabilityList = Type.Object({
  enabled: Type.Boolean({ description: 'False without a token: URLs then need no capability' }),
  since: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the current secret was made; capabilities from before no longer work',
  }),
  issued: Type.Array(Issued, { description: 'Capabilities handed out since, most recent last' }),
});

export const shareRoute = {
  summary: 'Links to share a file: for another player, another device, a playlist',
  description:
    'With a token set, the URLs carry a capability that opens this file (or this torrent’s playlist) and nothing else, never the token. Revoke them with POST /api/capabilities/rotate.',
  tags: ['torrents'],
  params: FileParams,
  response: { 200: Share, 400: badRequest, ...denied, 404: error('No such torrent, or no such file in it') },
};

export const listCapabilitiesRoute = {
  summary: 'The capabilities handed out',
  description: 'What share links and playlists were given out since the secret behind them was made.',
  tags: ['server'],
  response: { 200: CapabilityList, ...denied },
};

export const rotateCapabilitiesRoute = {
  summary: 'Revoke every shared link and browser session',
  description:
    'Makes a new secret: every capability handed out, and every browser session but the caller’s (which gets a new cookie), stops working. The token stays.',
  tags: ['server'],
  response: { 200: CapabilityList, 400: error('No token is set: there is nothing to revoke'), ...denied },
};
