/** The answer shapes the route schemas share: errors under their own descriptions, and non-JSON bodies. */
import { ErrorBody } from './api-schemas.js';

/** An error answer `{ error }` under its own description (the schema object is shared, so copied). */
export const error = (description: string) => ({ ...ErrorBody, description });

export const denied = {
  401: error('A token is set and none of the request’s (Bearer header, ?token=, cookie) matches'),
  403: error(
    'The Host header names another machine (loopback servers only), or another site’s page sent the request (Sec-Fetch-Site: cross-site)',
  ),
};
export const badRequest = error('A parameter failed validation');
export const unknownFile = error('No such torrent, or no such file in it');
export const busy = (description: string) => ({
  ...error(description),
  headers: {
    'Retry-After': { type: 'integer', description: 'Seconds to wait; sent when a limit was reached' },
  },
});

const body = (description: string, types: string[], schema: object) => ({
  description,
  content: Object.fromEntries(types.map((type) => [type, { schema }])),
});
export const binary = (description: string, types: string[]) =>
  body(description, types, { type: 'string', format: 'binary' });
export const text = (description: string, type: string) => body(description, [type], { type: 'string' });
