/**
 * Requests a browser marks `Sec-Fetch-Site: cross-site` come from another site's page: its fetch, <video>,
 * <img>, <iframe> or link. On loopback that page is the attacker (the user's own browser is their way in):
 * it could start transcodes and probes, or time answers to learn what the library holds. They are refused,
 * but for a top-level navigation to one of the web UI's pages (a bookmark, a link from a chat), whose own
 * requests are then same-origin. Players that send no fetch metadata (mpv, VLC, curl) are not browsers'
 * pages and pass. So does a request carrying a capability for what it asks (capabilities.ts): its authority
 * is in the URL, which its page was given — a Chromecast's receiver is another site's page playing the HLS
 * `--cast` hands it — and the answer says any page may read it (CORS `*`: never with the browser's cookie).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Capabilities } from './capabilities.js';
import { capabilityOpens } from './capability-scope.js';

/** The web UI's pages (routes/web.ts): the only routes another site may open, and only as the top window. */
const pages = new Set(['/', '/play/:infoHash/:index']);

function isPageNavigation(request: FastifyRequest): boolean {
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    request.headers['sec-fetch-mode'] === 'navigate' &&
    request.headers['sec-fetch-dest'] === 'document' &&
    pages.has(request.routeOptions.url ?? '')
  );
}

export function refuseCrossSite(app: FastifyInstance, capabilities: Capabilities | null): void {
  app.addHook('onRequest', async (request, reply) => {
    if (capabilities && capabilityOpens(request, capabilities)) {
      reply.header('Access-Control-Allow-Origin', '*');
      return;
    }
    if (request.headers['sec-fetch-site'] !== 'cross-site' || isPageNavigation(request)) return;
    return reply.code(403).send({
      error: 'Cross-site requests are refused: open streamtide from its own page, or use a player',
    });
  });
}
