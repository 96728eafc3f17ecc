/**
 * `streamtide serve`: the server and web UI until a signal stops it. Its terminal is for a person (the
 * banner first, then one readable line per event) unless stdout is not one or --json asks for JSON lines.
 */
import { formatSpeed } from './format.js';
import { createLogger, wantsPrettyLogs } from './log.js';
import { startRuntime, UsageError } from './runtime.js';
import { untilShutdown } from './shutdown.js';

export interface ServeFlags {
  host: string;
  port?: number;
  dir: string;
  token?: string;
  allowHost?: string[];
  allowLan?: boolean;
  maxCache?: number;
  /** Bytes per second over all torrents (--download-limit, --upload-limit). */
  downloadLimit?: number;
  uploadLimit?: number;
  torrentPort?: number;
  dht: boolean;
  lsd: boolean;
  nat: boolean;
  quiet?: boolean;
  json?: boolean;
  clusterFront?: string;
  clusterNodes?: string[];
  /** DLNA MediaServer (serve only). */
  dlna?: boolean;
}

export function runtimeOptions(flags: ServeFlags, portFallback: boolean) {
  return {
    host: flags.host,
    port: flags.port ?? 8977,
    portFallback: portFallback && flags.port === undefined,
    dir: flags.dir,
    token: flags.token,
    allowedHosts: flags.allowHost?.map((name) => name.toLowerCase()),
    allowLan: flags.allowLan,
    maxCacheBytes: flags.maxCache,
    downloadLimit: flags.downloadLimit,
    uploadLimit: flags.uploadLimit,
    torrentPort: flags.torrentPort,
    dht: flags.dht,
    lsd: flags.lsd,
    nat: flags.nat,
    dlna: flags.dlna,
  };
}

function clusterOf(flags: ServeFlags): { front: string; nodes: string[] } | undefined {
  const { clusterFront: front, clusterNodes: nodes } = flags;
  if (front === undefined && nodes === undefined) return undefined;
  if (front === undefined || nodes === undefined) {
    throw new UsageError('--cluster-front and --cluster-nodes go together (a node needs both)');
  }
  return { front, nodes };
}

export async function runServe(flags: ServeFlags): Promise<number> {
  const cluster = clusterOf(flags);
  const pretty = wantsPrettyLogs(flags.json);
  const log = await createLogger({ level: flags.quiet ? 'warn' : 'info', pretty });
  const runtime = await startRuntime({
    ...runtimeOptions(flags, false),
    cluster,
    logLevel: log.level,
    logger: log,
  });
  // Signals are handled before the URL is out: whoever reads it may stop us at once.
  const stopped = untilShutdown(runtime, () => log.info('stopping…'));
  const tokenHint = flags.token ? ' (token required)' : '';
  const banner = `streamtide ${runtime.url}${tokenHint} — FFmpeg: ${runtime.tools.version} (${runtime.tools.origin})`;
  if (pretty) process.stdout.write(`${banner}\n`);
  else {
    // The URL is printed even with --quiet, as on a terminal.
    log
      .child({}, { level: 'info' })
      .info({ url: runtime.url, ffmpeg: runtime.tools.version, ffmpegOrigin: runtime.tools.origin }, banner);
  }
  // Said once, from what the engine runs with: a slow download may be the user's own cap.
  const { download, upload } = runtime.engine.limits;
  if (download || upload) {
    const cap = (rate?: number) => (rate ? formatSpeed(rate) : 'unlimited');
    log.info(
      { downloadLimit: download ?? null, uploadLimit: upload ?? null },
      `bandwidth capped: download ${cap(download)}, upload ${cap(upload)}`,
    );
  }
  const code = await stopped;
  if (code === 0) log.info('stopped');
  else log.warn('stopped after an error');
  return code;
}
