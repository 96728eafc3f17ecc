/**
 * What the routes share, decorated on the Fastify instance by buildServer: the catalog, the probe and
 * keyframe-index caches, FFmpeg (its tools and the seekable input it reads through), the limits on
 * FFmpeg processes and subtitle conversions, the subtitle files' loader, the open requests of each
 * torrent and the capabilities behind shared URLs.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { FfmpegTools } from '../stream/ffmpeg-locate.js';
import type { SeekableInputServer } from '../stream/seekable-input.js';
import type { Capabilities } from './capabilities.js';
import type { HlsService } from './hls-service.js';
import type { KeyframeCache } from './keyframe-cache.js';
import type { Limiter } from './limiter.js';
import type { ServerMetrics } from './metrics.js';
import type { ProbeCache } from './probe-cache.js';
import type { SlotQueue } from './slot-queue.js';
import type { SubtitleFiles } from './subtitle-files.js';
import type { TorrentRequests } from './torrent-requests.js';

export interface Limits {
  /** Concurrent FFmpeg processes of any kind. */
  ffmpegProcesses: Limiter;
  /** Concurrent transcodes (CPU-bound), counted on top of ffmpegProcesses. */
  transcodes: Limiter;
  /** Concurrent subtitle file conversions; those through FFmpeg count among ffmpegProcesses too. */
  subtitleFiles: Limiter;
  /** Requests waiting briefly for a slot of the FFmpeg limits, in order. */
  queue: SlotQueue;
}

/** The FFmpeg limits a run counts against: every FFmpeg the processes, one that encodes the transcodes too. */
export type FfmpegLimits = Pick<Limits, 'ffmpegProcesses' | 'transcodes'>;

export function limitersFor(limits: FfmpegLimits, encodes: boolean): Limiter[] {
  return encodes ? [limits.ffmpegProcesses, limits.transcodes] : [limits.ffmpegProcesses];
}

export interface Ffmpeg {
  tools: FfmpegTools;
  seekable: SeekableInputServer;
}

declare module 'fastify' {
  interface FastifyInstance {
    catalog: Catalog;
    probes: ProbeCache;
    keyframes: KeyframeCache;
    hls: HlsService;
    ffmpeg: Ffmpeg;
    limits: Limits;
    torrentRequests: TorrentRequests;
    /** What GET /metrics reports; streams report to it through their log. */
    metrics: ServerMetrics;
    /** What shared URLs carry instead of the token; null when no token is set (URLs need nothing). */
    capabilities: Capabilities | null;
    subtitleFiles: SubtitleFiles;
    /** GET /api/openapi.json's document, made at its first request (openapi.ts). */
    openApiDocument: () => Promise<unknown>;
  }
}
