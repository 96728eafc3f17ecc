/**
 * FFmpeg cannot seek a pipe. For seeks and moov-at-end MP4s it reads a DataSource over loopback HTTP with
 * Range support instead, at an unguessable URL. Every byte goes through `source.read` with the request's
 * signal, so a torrent fetches exactly what FFmpeg asks for, first.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRange } from './byte-range.js';
import type { DataSource } from './data-source.js';
import { StreamPump } from './stream-pump.js';

interface Registration {
  source: DataSource;
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

  /** A URL serving `source` until `signal` aborts (or the server closes). */
  register(source: DataSource, signal?: AbortSignal): string {
    const id = randomBytes(16).toString('hex');
    const controller = new AbortController();
    this.#sources.set(id, { source, controller });
    signal?.addEventListener(
      'abort',
      () => {
        this.#sources.delete(id);
        controller.abort();
      },
      { once: true },
    );
    return `http://127.0.0.1:${this.port}/${id}`;
  }

  async close(): Promise<void> {
    for (const { controller } of this.#sources.values()) controller.abort();
    this.#sources.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const registration = this.#sources.get((req.url ?? '').slice(1).split(/[/?]/)[0] ?? '');
    if (!registration || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(registration ? 405 : 404).end();
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
