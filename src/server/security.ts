/**
 * Who may talk to the server: a bearer token (when one is set) on every route but health — or the browser
 * session it opened, or a capability for the one file a shared link is for — and, when bound to loopback, a
 * Host header that names this machine, so a web page cannot reach us through DNS rebinding.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dlnaPaths } from '../dlna/paths.js';
import type { Capabilities } from './capabilities.js';
import { capabilityOpens } from './capability-scope.js';
import { parseHost } from './host-header.js';

export interface SecurityOptions {
  host: string;
  token?: string;
  /** Extra Host names accepted when bound to loopback (e.g. a reverse proxy's name). */
  allowedHosts?: string[];
  /** With a token: what sessions and shared links carry instead of it. */
  capabilities?: Capabilities;
  /** DLNA is on: its description and control routes answer without the token (DLNA has no auth). */
  dlna?: boolean;
}

const loopbackNames = ['localhost', '127.0.0.1', '::1', '[::1]'];

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time token comparison (hashing first makes the lengths equal). */
export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

/**
 * The cookie lets the page's own assets and media load once the page was opened with a valid token. Its value
 * is the session capability (capabilities.ts), not the token: revocable, and no use where the token is asked.
 */
export const sessionCookie = 'streamtide_session';

/** The cookie's value; a malformed one (bad percent-escapes) counts as no cookie, so it answers 401. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function givenTokens(request: FastifyRequest): string[] {
  const tokens: string[] = [];
  const auth = request.headers.authorization;
  // The scheme's name is case-insensitive (RFC 9110 §11.1): `bearer T` is the same credential.
  const bearer = auth && /^bearer +(.+)$/i.exec(auth.trim());
  if (bearer) tokens.push(bearer[1]!.trim());
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.token === 'string') tokens.push(query.token);
  return tokens;
}

/** 'full' for the token or a browser session, 'scoped' for a capability that opens this very request. */
function access(
  request: FastifyRequest,
  token: string,
  capabilities: Capabilities,
): 'full' | 'scoped' | null {
  if (givenTokens(request).some((given) => tokenMatches(token, given))) return 'full';
  const session = cookieValue(request.headers.cookie, sessionCookie);
  if (session !== undefined && capabilities.verify({ kind: 'session' }, session)) return 'full';
  return capabilityOpens(request, capabilities) ? 'scoped' : null;
}

/** SameSite=Strict: other sites cannot ride on it (no CSRF through the cookie). */
export function setSessionCookie(reply: FastifyReply, capabilities: Capabilities): void {
  const value = capabilities.issue({ kind: 'session' });
  reply.header('Set-Cookie', `${sessionCookie}=${value}; Path=/; HttpOnly; SameSite=Strict`);
}

export function registerSecurity(app: FastifyInstance, options: SecurityOptions): void {
  const { token, capabilities } = options;
  if (token && !capabilities) throw new Error('a token needs its capabilities (capabilities.ts)');
  const checkHost = isLoopback(options.host);
  const allowed = new Set([...loopbackNames, options.host.toLowerCase(), ...(options.allowedHosts ?? [])]);
  app.addHook('onRequest', async (request, reply) => {
    const host = parseHost(request.headers.host);
    // Anywhere: what is not `name[:port]` is never echoed into a URL (host-header.ts).
    if (request.headers.host !== undefined && !host) {
      return reply.code(400).send({ error: 'The Host header is not a valid host[:port]' });
    }
    if (checkHost && (!host || !allowed.has(host.name))) {
      return reply.code(403).send({ error: `Host "${host?.host ?? ''}" is not allowed` });
    }
    const open =
      request.url === '/api/health' ||
      request.url.startsWith('/api/health?') ||
      (options.dlna === true && request.url.startsWith(dlnaPaths.prefix));
    if (token && capabilities && !open) {
      const granted = access(request, token, capabilities);
      if (!granted) {
        reply.header('WWW-Authenticate', 'Bearer');
        return reply
          .code(401)
          .send({ error: 'A valid token is required (Authorization: Bearer T or ?token=T)' });
      }
      // A shared link opens its file, never a session.
      if (granted === 'full' && request.method === 'GET' && !request.url.startsWith('/api/')) {
        setSessionCookie(reply, capabilities);
      }
    }
  });
}
