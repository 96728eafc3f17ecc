/**
 * The Host header, parsed strictly: a DNS name, an IPv4 address or a bracketed IPv6 address, then an optional
 * `:port`, and nothing else. A lenient split on the last colon would take `127.0.0.1:80@evil.com` for a
 * loopback name, and the server would then write `http://127.0.0.1:80@evil.com/...` (a URL of evil.com) into
 * the stream URLs and playlists it hands out.
 */
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

export interface ParsedHost {
  /** Lowercase, IPv6 in brackets: what allow-lists compare. */
  name: string;
  /** `name[:port]`, as it goes into an absolute URL. */
  host: string;
}

// Labels of letters, digits, hyphens (and underscores, which LAN and container names use), dot-separated.
const NAME = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?$/;
const HOST = /^(\[[^\]]*\]|[^:[\]]+)(?::(\d{1,5}))?$/;

/** The header's name and port, or undefined when it is anything but `name[:port]`. */
export function parseHost(header: string | undefined): ParsedHost | undefined {
  const match = header === undefined ? null : HOST.exec(header.toLowerCase());
  if (!match) return undefined;
  const [, name = '', port] = match;
  const valid = name.startsWith('[') ? isIP(name.slice(1, -1)) === 6 : NAME.test(name) && name.length <= 253;
  if (!valid || (port !== undefined && Number(port) > 65535)) return undefined;
  return { name, host: port === undefined ? name : `${name}:${port}` };
}

/**
 * `scheme://host` for absolute URLs answered to `request`: its Host once validated, else the address it
 * reached (HTTP/1.0 clients may send no Host at all).
 */
export function requestOrigin(request: FastifyRequest): string {
  const parsed = parseHost(request.headers.host);
  if (parsed) return `${request.protocol}://${parsed.host}`;
  return socketOrigin(request);
}

/** `scheme://address:port` of the local end of the request's connection: the address the client reached. */
export function socketOrigin(request: FastifyRequest): string {
  const { localAddress = '127.0.0.1', localPort } = request.socket;
  const address = localAddress.replace(/^::ffff:/, '');
  return `${request.protocol}://${address.includes(':') ? `[${address}]` : address}:${localPort}`;
}
