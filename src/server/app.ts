/**
 * The HTTP server: docs/api.md's API on Fastify. It owns the loopback seekable-input server FFmpeg uses for
 * seeks and the limits on concurrent FFmpeg processes; the streaming itself lives in src/stream.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Library } from '../catalog/library.js';
import type { StatusError } from '../catalog/status-error.js';
import { isAbortError } from '../stream/abort.js';
import type { FfmpegTools } from '../stream/ffmpeg-locate.js';
import { SeekableInputServer } from '../stream/seekable-input.js';
import { version } from '../version.js';
import { Limiter } from './limiter.js';
import { MediaService } from './media-service.js';
import { registerOpenApi } from './openapi.js';
import { healthRoute } from './route-schemas.js';
import { registerCoverRoute } from './routes/cover.js';
import { registerStreamRoute } from './routes/stream.js';
import { registerSubtitleRoutes } from './routes/subtitles.js';
import { registerTorrentRoutes } from './routes/torrents.js';
import { registerWebRoutes } from './routes/web.js';
import { registerSecurity } from './security.js';

export interface ServerOptions {
  library: Library;
  tools: FfmpegTools;
  host: string;
  token?: string;
  allowedHosts?: string[];
  /** Concurrent transcodes (CPU-bound); default: the number of CPUs. */
  maxTranscodes?: number;
  /** Concurrent FFmpeg processes of any kind (remux is cheap but not free). */
  maxFfmpeg?: number;
  webRoot?: string;
  logLevel?: string;
  /** A logger of the caller's (instead of Fastify's own JSON one at `logLevel`). */
  logger?: FastifyBaseLogger;
}

// Two levels up is the package root from both src/server (tests, tsx) and dist/server (the build).
const defaultWebRoot = fileURLToPath(new URL('../../dist/web/', import.meta.url));
const maxTorrentBytes = 10 * 1024 * 1024;

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger
      ? { loggerInstance: options.logger }
      : { logger: { level: options.logLevel ?? 'info' } }),
    // One structured line per stream (logged by the stream handlers) says more than per-request lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    trustProxy: false,
    // Streams are endless from Fastify's view: closing must cut them so their FFmpeg processes stop.
    forceCloseConnections: true,
  });
  const seekable = await SeekableInputServer.start();
  app.addHook('onClose', async () => seekable.close());
  const media = new MediaService(options.library, options.tools, seekable);
  const cpus = availableParallelism();

  registerSecurity(app, { host: options.host, token: options.token, allowedHosts: options.allowedHosts });
  app.addContentTypeParser(
    'application/x-bittorrent',
    { parseAs: 'buffer', bodyLimit: maxTorrentBytes },
    (_request, body, done) => done(null, body),
  );
  app.setErrorHandler((err: Error & Partial<StatusError>, request, reply) => {
    // Errors that know their answer (see catalog/status-error.ts); a bare 500 is a bug, logged below.
    const status = err.statusCode;
    if (status && status >= 400 && status < 600 && status !== 500) {
      const details = typeof err.details === 'object' ? err.details : {};
      return reply
        .code(status)
        .headers(err.headers ?? {})
        .send({ error: err.message, ...details });
    }
    if (isAbortError(err)) return reply.code(499).send({ error: 'client closed request' });
    request.log.error(err);
    return reply.code(500).send({ error: `Internal error: ${err.message}` });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `No route for ${request.method} ${request.url.split('?')[0]}` }),
  );

  await registerOpenApi(app);
  app.get('/api/health', { schema: healthRoute }, async () => ({
    ok: true,
    version,
    ffmpeg: options.tools.version,
  }));
  registerTorrentRoutes(app, media);
  const ffmpegProcesses = new Limiter(options.maxFfmpeg ?? Math.max(8, cpus * 8));
  registerStreamRoute(app, {
    media,
    transcodes: new Limiter(options.maxTranscodes ?? Math.max(1, cpus), 'transcodes'),
    ffmpegProcesses,
  });
  registerSubtitleRoutes(app, { media, ffmpegProcesses });
  registerCoverRoute(app, { media, ffmpegProcesses });
  await registerWebRoutes(app, options.webRoot ?? defaultWebRoot);
  return app;
}
