/** A real streamtide HTTP server on 127.0.0.1 with a random port, for tests. */
import type { FastifyInstance } from 'fastify';
import { Catalog } from '../../src/catalog/catalog.js';
import type { Torrents } from '../../src/catalog/types.js';
import { buildServer, type ServerOptions } from '../../src/server/app.js';
import { type FfmpegTools, locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';

export interface TestServer {
  app: FastifyInstance;
  catalog: Catalog;
  tools: FfmpegTools;
  url: string;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    torrents?: Torrents | null;
    token?: string;
    tools?: FfmpegTools;
  } & Partial<ServerOptions> = {},
): Promise<TestServer> {
  const tools = options.tools ?? (await locateFfmpeg());
  const catalog = new Catalog(options.torrents ?? null);
  const app = await buildServer({ host: '127.0.0.1', logLevel: 'silent', ...options, catalog, tools });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, catalog, tools, url: address.replace('localhost', '127.0.0.1'), close: () => app.close() };
}

/** Reads a fetch body to the end. */
export async function bodyBytes(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}
