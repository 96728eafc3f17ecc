/**
 * The HTTP server: docs/api.md's API on Fastify. It decorates the instance with the services the routes
 * share (services.ts: the catalog, the probe cache, FFmpeg with its loopback seekable input, the process
 * limits) and registers each file of routes/ as a plugin; the streaming itself lives in src/stream.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Catalog } from '../catalog/catalog.js';
import type { DeviceInfo } from '../dlna/description.js';
import type { FfmpegTools } from '../stream/ffmpeg-locate.js';
import { SeekableInputServer } from '../stream/seekable-input.js';
import { Capabilities } from './capabilities.js';
import type { ClusterOptions } from './cluster/cluster-options.js';
import { registerCluster } from './cluster/register.js';
import { answerError } from './error-handler.js';
import { refuseCrossSite } from './fetch-metadata.js';
import { registerFiniteNumbers } from './finite-numbers.js';
import { HlsService } from './hls-service.js';
import { KeyframeCache } from './keyframe-cache.js';
import { lazySchemaCompilers } from './lazy-compilers.js';
import { Limiter } from './limiter.js';
import { ServerMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { ProbeCache } from './probe-cache.js';
import { capabilityRoutes } from './routes/capabilities.js';
import { coverRoutes } from './routes/cover.js';
import { hlsRoutes } from './routes/hls.js';
import { positionRoutes } from './routes/positions.js';
import { serverRoutes } from './routes/server.js';
import { streamRoutes } from './routes/stream.js';
import { subtitleRoutes } from './routes/subtitles.js';
import { torrentRoutes } from './routes/torrents.js';
import { webRoutes } from './routes/web.js';
import { registerSecurity } from './security.js';
import { SlotQueue } from './slot-queue.js';
import { SubtitleFiles } from './subtitle-files.js';
import { TorrentRequests } from './torrent-requests.js';
import './services.js';

export interface ServerOptions {
  catalog: Catalog;
  tools: FfmpegTools;
  host: string;
  token?: string;
  allowedHosts?: string[];
  /** Concurrent transcodes (CPU-bound); default: the number of CPUs. */
  maxTranscodes?: number;
  /** Concurrent FFmpeg processes of any kind (remux is cheap but not free). */
  maxFfmpeg?: number;
  /** How long a stream or HLS request past those limits waits for a slot before its 503 (default 5 s). */
  slotWaitMs?: number;
  /** Concurrent subtitle file conversions (default: the number of CPUs, at least 2). */
  maxSubtitleJobs?: number;
  /** The time bound of one subtitle file's conversion and answer (default 30 s). */
  subtitleTimeoutMs?: number;
  webRoot?: string;
  logLevel?: string;
  /** Where HLS segments are kept (default: a directory under the OS's temporary one). */
  hlsCacheDir?: string;
  /** A logger of the caller's (instead of Fastify's own JSON one at `logLevel`). */
  logger?: FastifyBaseLogger;
  /** Where the secret behind capability URLs is kept (default: memory, so they end with the process). */
  capabilitiesFile?: string;
  /** The secret behind capabilities, shared by every node of a cluster so each accepts what another issued. */
  capabilitySecret?: string;
  /** Set when this node runs behind the cluster's nginx front (docs/cluster.md). */
  cluster?: ClusterOptions;
  /** Serve a DLNA MediaServer as this device (--dlna); its routes need no token. */
  dlna?: DeviceInfo;
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
    // Behind the cluster's front, the scheme the client used (for the URLs we answer with) is its
    // X-Forwarded-Proto; a lone server is reached directly.
    trustProxy: options.cluster !== undefined,
    // Streams are endless from Fastify's view: closing must cut them so their FFmpeg processes stop.
    forceCloseConnections: true,
    schemaController: lazySchemaCompilers(),
  });
  const seekable = await SeekableInputServer.start();
  const cpus = availableParallelism();
  app.decorate('catalog', options.catalog);
  app.decorate('probes', new ProbeCache(options.catalog, options.tools, seekable));
  app.decorate('keyframes', new KeyframeCache(options.catalog));
  app.decorate('ffmpeg', { tools: options.tools, seekable });
  const ffmpegProcesses = new Limiter(options.maxFfmpeg ?? Math.max(8, cpus * 8));
  const transcodes = new Limiter(options.maxTranscodes ?? Math.max(1, cpus), 'transcodes');
  app.decorate('limits', {
    ffmpegProcesses,
    transcodes,
    subtitleFiles: new Limiter(options.maxSubtitleJobs ?? Math.max(2, cpus), 'subtitle conversions'),
    queue: new SlotQueue([ffmpegProcesses, transcodes], options.slotWaitMs),
  });
  app.decorate('metrics', new ServerMetrics(options.catalog, app.limits));
  const subtitleFiles = new SubtitleFiles({
    catalog: options.catalog,
    tools: options.tools,
    limits: app.limits,
    timeoutMs: options.subtitleTimeoutMs,
  });
  app.decorate('subtitleFiles', subtitleFiles);
  const hls = new HlsService({
    catalog: options.catalog,
    probes: app.probes,
    keyframes: app.keyframes,
    ffmpeg: app.ffmpeg,
    limits: app.limits,
    subtitleFiles,
    cacheDir: options.hlsCacheDir ?? join(tmpdir(), `streamtide-hls-${process.getuid?.() ?? 'user'}`),
  });
  app.decorate('hls', hls);
  app.decorate('torrentRequests', new TorrentRequests());
  // Encoders stop before the seekable input they read through closes.
  app.addHook('onClose', async () => {
    await hls.close();
    await seekable.close();
  });

  const { token } = options;
  const capabilities = token
    ? await Capabilities.open({
        token,
        file: options.capabilitiesFile,
        sharedSecret: options.capabilitySecret,
        warn: (m) => app.log.warn(m),
      })
    : null;
  app.decorate('capabilities', capabilities);
  refuseCrossSite(app, capabilities);
  registerSecurity(app, { ...options, dlna: !!options.dlna, capabilities: capabilities ?? undefined });
  if (options.cluster) registerCluster(app, options.cluster);
  // Info-hashes are lowercase from here on, whatever case the URL used.
  app.addHook('preValidation', async (request) => {
    const params = request.params as { infoHash?: unknown } | undefined;
    if (typeof params?.infoHash === 'string') params.infoHash = params.infoHash.toLowerCase();
  });
  app.addContentTypeParser(
    'application/x-bittorrent',
    { parseAs: 'buffer', bodyLimit: maxTorrentBytes },
    (_request, body, done) => done(null, body),
  );
  registerFiniteNumbers(app);
  app.setErrorHandler(answerError);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `No route for ${request.method} ${request.url.split('?')[0]}` }),
  );

  app.decorate('openApiDocument', registerOpenApi(app));
  await app.register(serverRoutes);
  await app.register(torrentRoutes);
  await app.register(capabilityRoutes);
  await app.register(positionRoutes);
  await app.register(streamRoutes);
  await app.register(subtitleRoutes);
  await app.register(coverRoutes);
  await app.register(hlsRoutes);
  // The MediaServer's XML and SOAP code only for --dlna.
  if (options.dlna) await app.register((await import('./routes/dlna.js')).dlnaRoutes, options.dlna);
  await app.register(webRoutes, { webRoot: options.webRoot ?? defaultWebRoot });
  return app;
}
