/** A real streamtide HTTP server on 127.0.0.1 with a random port, for tests. */
import type { FastifyInstance } from 'fastify';
import { Library, type TorrentCatalog } from '../../src/catalog/library.js';
import { buildServer, type ServerOptions } from '../../src/server/app.js';
import { type FfmpegTools, locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';

export interface TestServer {
  app: FastifyInstance;
  library: Library;
  tools: FfmpegTools;
  url: string;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    torrents?: TorrentCatalog | null;
    token?: string;
    tools?: FfmpegTools;
  } & Partial<ServerOptions> = {},
): Promise<TestServer> {
  const tools = options.tools ?? (await locateFfmpeg());
  const library = new Library(options.torrents ?? null);
  const app = await buildServer({ host: '127.0.0.1', logLevel: 'silent', ...options, library, tools });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, library, tools, url: address.replace('localhost', '127.0.0.1'), close: () => app.close() };
}

/** Reads a fetch body to the end. */
export async function bodyBytes(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}
