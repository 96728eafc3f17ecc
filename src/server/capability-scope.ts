/**
 * Which capability (capabilities.ts) opens a request: a file's capability its stream, HLS playlists and
 * segments, subtitles and cover; a torrent's playlist capability its M3U. Nothing else — no API route, no
 * page — so a shared link is no way into the library. Read before validation (the onRequest hook), hence
 * the raw parameters.
 */
import type { FastifyRequest } from 'fastify';
import type { Capabilities, Scope } from './capabilities.js';

const fileRoutes = new Set([
  '/stream/:infoHash/:index',
  '/hls/:infoHash/:index/master.m3u8',
  '/hls/:infoHash/:index/:rendition/:part',
  '/subtitles/:infoHash/:index.vtt',
  '/cover/:infoHash/:index',
]);
const playlistRoute = '/playlist/:infoHash.m3u';

/** The scope a capability needs to open `request`, or undefined when none can. */
export function requiredScope(request: FastifyRequest): Scope | undefined {
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
  const route = request.routeOptions.url ?? '';
  const params = request.params as { infoHash?: unknown; index?: unknown } | undefined;
  const infoHash = typeof params?.infoHash === 'string' ? params.infoHash.toLowerCase() : undefined;
  if (!infoHash || !/^[0-9a-f]{40}$/.test(infoHash)) return undefined;
  if (route === playlistRoute) return { kind: 'playlist', infoHash };
  const index =
    typeof params?.index === 'string' && /^\d{1,7}$/.test(params.index) ? Number(params.index) : -1;
  return fileRoutes.has(route) && index >= 0 ? { kind: 'file', infoHash, index } : undefined;
}

/** The capability a request carries (`?cap=`), if any. */
export function givenCapability(request: FastifyRequest): string | undefined {
  const cap = (request.query as Record<string, unknown> | undefined)?.cap;
  return typeof cap === 'string' ? cap : undefined;
}

/** Whether the request carries a capability that opens it. */
export function capabilityOpens(request: FastifyRequest, capabilities: Capabilities): boolean {
  const scope = requiredScope(request);
  const cap = givenCapability(request);
  return scope !== undefined && cap !== undefined && capabilities.verify(scope, cap);
}
