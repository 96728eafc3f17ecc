/**
 * Who may talk to the server: a bearer token (when one is set) on every route but health, and — when bound to
 * loopback — a Host header that names this machine, so a web page cannot reach us through DNS rebinding.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseHost } from './host-header.js';

export interface SecurityOptions {
  host: string;
  token?: string;
  /** Extra Host names accepted when bound to loopback (e.g. a reverse proxy's name). */
  allowedHosts?: string[];
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

/** The cookie lets the page's own assets and media load once the page was opened with a valid token. */
export const tokenCookie = 'streamtide_token';

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
  if (auth?.startsWith('Bearer ')) tokens.push(auth.slice(7).trim());
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.token === 'string') tokens.push(query.token);
  const cookie = cookieValue(request.headers.cookie, tokenCookie);
  if (cookie !== undefined) tokens.push(cookie);
  return tokens;
}

export function registerSecurity(app: FastifyInstance, options: SecurityOptions): void {
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
    if (options.token && request.url !== '/api/health' && !request.url.startsWith('/api/health?')) {
      const token = options.token;
      if (!givenTokens(request).some((given) => tokenMatches(token, given))) {
        reply.header('WWW-Authenticate', 'Bearer');
        return reply
          .code(401)
          .send({ error: 'A valid token is required (Authorization: Bearer T or ?token=T)' });
      }
      if (request.method === 'GET' && !request.url.startsWith('/api/')) {
        // SameSite=Strict: other sites cannot ride on it (no CSRF through the cookie).
        reply.header(
          'Set-Cookie',
          `${tokenCookie}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`,
        );
      }
    }
  });
}
