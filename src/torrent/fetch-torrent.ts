/**
 * GET of a .torrent URL with a byte cap, a timeout and redirects followed by hand, so every hop is checked:
 * http(s) only, at most `maxRedirects`, and — once the first hop reached a public address — no hop into a
 * loopback or private network (see address-policy.ts). node:http rather than fetch(): its `lookup` hook lets
 * the check see the address actually connected to.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { checkedLookup, isPrivateAddress } from './address-policy.js';
import { TorrentInputError } from './errors.js';

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
}

export const defaultFetchLimits: FetchLimits = {
  maxBytes: 10 * 1024 * 1024,
  timeoutMs: 15_000,
  maxRedirects: 5,
};

export interface FetchOptions {
  limits?: FetchLimits;
  signal?: AbortSignal;
  /** Which addresses count as non-public (default: loopback, private, link-local...); for tests. */
  isPrivate?: (address: string) => boolean;
}

export async function fetchTorrent(url: string, options: FetchOptions = {}): Promise<Uint8Array> {
  const limits = options.limits ?? defaultFetchLimits;
  const isPrivate = options.isPrivate ?? isPrivateAddress;
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const failed = (why: string, cause?: unknown) =>
    new TorrentInputError(`could not fetch ${url}: ${why}`, 'FETCH_FAILED', { cause });
  // Whether the first hop connected to a public address; later hops must then stay public.
  let publicChain: boolean | undefined;
  let current = new URL(url);
  try {
    for (let hop = 0; ; hop++) {
      const check = (address: string) => {
        const inside = isPrivate(address);
        if (hop === 0) publicChain = (publicChain ?? true) && !inside;
        else if (publicChain && inside) {
          throw new TorrentInputError(
            `${url} redirects to ${current.host}, a loopback or private address: refused`,
            'BLOCKED_REDIRECT',
          );
        }
      };
      const literal = current.hostname.replace(/^\[|\]$/g, '');
      if (isIP(literal)) check(literal);
      const response = await get(current, checkedLookup(check), signal);
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        response.destroy();
        const location = response.headers.location;
        if (!location) throw failed(`redirect ${status} without a Location`);
        if (hop >= limits.maxRedirects) throw failed(`more than ${limits.maxRedirects} redirects`);
        const next = new URL(location, current);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new TorrentInputError(
            `${url} redirects to an unsupported ${next.protocol} URL`,
            'UNSUPPORTED_SCHEME',
          );
        }
        current = next;
        continue;
      }
      if (status < 200 || status >= 300) {
        response.destroy();
        throw failed(`HTTP ${status}`);
      }
      return await readCapped(response, limits.maxBytes, url);
    }
  } catch (err) {
    if (err instanceof TorrentInputError) throw err;
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) throw failed(`no answer within ${limits.timeoutMs / 1000} s`, err);
    throw failed(err instanceof Error ? err.message : String(err), err);
  }
}

function get(
  url: URL,
  lookup: ReturnType<typeof checkedLookup>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      { lookup, signal, headers: { accept: 'application/x-bittorrent, */*' } },
      resolve,
    );
    request.on('error', reject);
    request.end();
  });
}

async function readCapped(response: IncomingMessage, maxBytes: number, url: string): Promise<Uint8Array> {
  const tooLarge = () => new TorrentInputError(`${url} is larger than ${maxBytes} bytes`, 'TOO_LARGE');
  if (Number(response.headers['content-length']) > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      response.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
