/**
 * FFmpeg cannot seek a pipe. For seeks and moov-at-end MP4s it reads a DataSource over loopback HTTP with
 * Range support instead. Every byte goes through `source.read` with the request's signal, so a torrent
 * fetches exactly what FFmpeg asks for, first.
 *
 * FFmpeg's command line is readable by every local user (`ps`), so the URL on it must not be enough to read
 * the file. FFmpeg reaches this server as its HTTP proxy (`http_proxy` in its environment, which only its
 * own user can read), with a password per registration that FFmpeg sends once challenged (407).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRange } from './byte-range.js';
import type { DataSource } from './data-source.js';
import { StreamPump } from './stream-pump.js';

/**
 * FFmpeg hands the whole URL to its proxy, this server. A closed loopback port, not a name: were the proxy
 * ever bypassed, FFmpeg would find nothing there and no name would be looked up.
 */
const INPUT_HOST = '127.0.0.1:9';
const USER = 'streamtide';

/** Where FFmpeg reads a registered source: the URL for its command line, the environment that opens it. */
export interface SeekableAddress {
  url: string;
  env: Record<string, string>;
}

interface Registration {
  source: DataSource;
  /** `Proxy-Authorization` FFmpeg must send. */
  authorization: string;
  /** Aborted when the registration ends: cuts that source's open responses. */
  controller: AbortController;
}

export class SeekableInputServer {
  readonly #sources = new Map<string, Registration>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<SeekableInputServer> {
    let self: SeekableInputServer | null = null;
    const server = createServer((req, res) => void self?.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref(); // never what keeps a process alive
    self = new SeekableInputServer(server, (server.address() as AddressInfo).port);
    return self;
  }

  /** An address serving `source` until `signal` aborts (or the server closes). */
  register(source: DataSource, signal?: AbortSignal): SeekableAddress {
    const id = randomBytes(16).toString('hex');
    const password = randomBytes(24).toString('base64url');
    const authorization = `Basic ${Buffer.from(`${USER}:${password}`).toString('base64')}`;
    const controller = new AbortController();
    this.#sources.set(id, { source, authorization, controller });
    signal?.addEventListener(
      'abort',
      () => {
        this.#sources.delete(id);
        controller.abort();
      },
      { once: true },
    );
    return {
      url: `http://${INPUT_HOST}/${id}`,
      // no_proxy emptied: a user's `no_proxy=*` must not make FFmpeg bypass its proxy.
      env: { http_proxy: `http://${USER}:${password}@127.0.0.1:${this.port}`, no_proxy: '' },
    };
  }

  async close(): Promise<void> {
    for (const { controller } of this.#sources.values()) controller.abort();
    this.#sources.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A proxy request names the whole URL (`GET http://127.0.0.1:9/ID`).
    const id = new URL(req.url ?? '/', `http://${INPUT_HOST}`).pathname.slice(1);
    const registration = this.#sources.get(id);
    if (!registration || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(registration ? 405 : 404).end();
      return;
    }
    const given = req.headers['proxy-authorization'];
    if (!given || !sameSecret(registration.authorization, given)) {
      res.writeHead(407, { 'Proxy-Authenticate': `Basic realm="${USER}"` }).end();
      return;
    }
    const { source, controller } = registration;
    const range = parseRange(req.headers.range, source.size);
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { 'Content-Range': `bytes */${source.size}` }).end();
      return;
    }
    const partial = range.kind === 'range';
    const start = partial ? range.start : 0;
    const end = partial ? range.end + 1 : source.size;
    res.writeHead(partial ? 206 : 200, {
      'Accept-Ranges': 'bytes',
      'Content-Type': 'application/octet-stream',
      'Content-Length': end - start,
      ...(partial ? { 'Content-Range': `bytes ${start}-${end - 1}/${source.size}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.flushHeaders(); // the headers need not wait for bytes a torrent has yet to download
    // FFmpeg drops a connection whenever it seeks: the pump sees the closed response and stops reading.
    const pump = new StreamPump(source, { start, end, signal: controller.signal });
    const { outcome } = await pump.pumpTo(res);
    if (outcome === 'complete') res.end();
    else res.destroy();
  }
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
