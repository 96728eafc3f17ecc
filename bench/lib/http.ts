/**
 * The bench's HTTP client side, on node:http with no keep-alive so every request is a fresh connection
 * (as a player's first request is): time to the first fragment (`moof`) or first body byte, reads for a
 * time window, and the few API calls the bench needs.
 */
import { type IncomingMessage, request } from 'node:http';
import { now } from './stats.js';

export interface FirstFragment {
  /** Request → response headers. */
  headersMs: number;
  /** Request → first byte of the first `moof` box. */
  moofMs: number;
  status: number;
}

function get(url: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, headers }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** Requests `url` and reads until the first `moof` box starts; the response is then cut. */
export async function timeToFirstMoof(url: string, timeoutMs = 120_000): Promise<FirstFragment> {
  const started = now();
  const res = await get(url);
  const headersMs = now() - started;
  if (res.statusCode !== 200) {
    const body = await text(res);
    throw new Error(`${url} answered ${res.statusCode}: ${body.slice(0, 300)}`);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no moof within ${timeoutMs} ms`)), timeoutMs);
    let header = Buffer.alloc(0);
    let skip = 0;
    const finish = (err: Error | null, moofMs = 0) => {
      clearTimeout(timer);
      res.removeAllListeners('data');
      res.destroy();
      if (err) reject(err);
      else resolve({ headersMs, moofMs, status: res.statusCode ?? 0 });
    };
    res.on('data', (chunk: Buffer) => {
      let i = 0;
      while (i < chunk.length) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - i);
          skip -= n;
          i += n;
          continue;
        }
        const need = 8 - header.length;
        header = Buffer.concat([header, chunk.subarray(i, i + need)]);
        i += Math.min(need, chunk.length - i);
        if (header.length < 8) return;
        const type = header.toString('latin1', 4, 8);
        if (type === 'moof') return finish(null, now() - started);
        const size = header.readUInt32BE(0);
        if (size < 8) return finish(new Error(`cannot follow box ${type} of size ${size}`));
        skip = size - 8;
        header = Buffer.alloc(0);
      }
    });
    res.once('end', () => finish(new Error('the response ended before any moof')));
    res.once('error', (err) => finish(err));
  });
}

/** Request → first body byte (for servers that send the file itself; `headers`: a Range, say). */
export async function timeToFirstByte(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ms: number; status: number }> {
  const started = now();
  const res = await get(url, headers);
  const status = res.statusCode ?? 0;
  return new Promise((resolve, reject) => {
    res.once('data', () => {
      const ms = now() - started;
      res.destroy();
      resolve({ ms, status });
    });
    res.once('end', () => reject(new Error(`${url}: ${status} with an empty body`)));
    res.once('error', reject);
  });
}

/** Reads `url` for `windowMs` (or to its end); resolves with the bytes received and the time taken. */
export async function readFor(
  url: string,
  windowMs: number,
  startAt: number = now(),
): Promise<{ bytes: number; ms: number; status: number; ended: boolean }> {
  const res = await get(url);
  const status = res.statusCode ?? 0;
  return new Promise((resolve) => {
    let bytes = 0;
    let ended = false;
    const done = () => {
      clearTimeout(timer);
      res.removeAllListeners('data');
      res.destroy();
      resolve({ bytes, ms: now() - startAt, status, ended });
    };
    const timer = setTimeout(done, Math.max(0, windowMs - (now() - startAt)));
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    res.once('end', () => {
      ended = true;
      done();
    });
    res.once('error', done);
  });
}

/** Starts a stream, waits for its first body bytes, then cuts it (a viewer closing the tab early). */
export async function startAndAbort(url: string): Promise<number> {
  const res = await get(url);
  const status = res.statusCode ?? 0;
  await new Promise<void>((resolve) => {
    res.once('data', () => resolve());
    res.once('end', () => resolve());
    res.once('error', () => resolve());
  });
  res.destroy();
  return status;
}

function text(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    res.on('data', (c: Buffer) => parts.push(c));
    res.once('end', () => resolve(Buffer.concat(parts).toString()));
    res.once('error', () => resolve(Buffer.concat(parts).toString()));
  });
}

export async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body instanceof Uint8Array) {
    init.body = body;
    init.headers = { 'content-type': 'application/x-bittorrent' };
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await fetch(`${base}${path}`, init);
  const raw = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${raw.slice(0, 300)}`);
  return (raw ? JSON.parse(raw) : undefined) as T;
}

export interface TorrentJson {
  infoHash: string;
  ready: boolean;
  progress: number;
  length: number;
  files: Array<{ index: number; progress: number; length: number }>;
}

/** Polls a torrent until `done` holds (no event exists across processes); 50 ms granularity. */
export async function waitTorrent(
  base: string,
  infoHash: string,
  done: (t: TorrentJson) => boolean,
  timeoutMs = 600_000,
): Promise<TorrentJson> {
  const until = now() + timeoutMs;
  for (;;) {
    const torrent = await api<TorrentJson>(base, 'GET', `/api/torrents/${infoHash}`);
    if (done(torrent)) return torrent;
    if (now() > until) throw new Error(`torrent ${infoHash} did not get there in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Time from `startedAt` to the first body byte of `url`, asking again every 10 ms while it answers 404
 * (webtorrent's server knows a file only once the torrent's metadata is in).
 */
export async function pollFirstByte(url: string, startedAt: number, timeoutMs = 120_000): Promise<number> {
  for (;;) {
    const res = await get(url);
    if (res.statusCode === 200 || res.statusCode === 206) {
      return new Promise((resolve, reject) => {
        res.once('data', () => {
          const ms = now() - startedAt;
          res.destroy();
          resolve(ms);
        });
        res.once('end', () => reject(new Error(`${url}: empty body`)));
        res.once('error', reject);
      });
    }
    res.resume();
    if (now() - startedAt > timeoutMs) throw new Error(`${url} still answers ${res.statusCode}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Reads the whole body of `url`; resolves with its length. */
export async function readAll(url: string): Promise<number> {
  const res = await get(url);
  let bytes = 0;
  return new Promise((resolve, reject) => {
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    res.once('end', () => resolve(bytes));
    res.once('error', reject);
  });
}
