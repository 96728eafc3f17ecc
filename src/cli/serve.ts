/** `streamtide serve`: the server and web UI until a signal stops it. */
import { startRuntime } from './runtime.js';
import { untilShutdown } from './shutdown.js';

export interface ServeFlags {
  host: string;
  port?: number;
  dir: string;
  token?: string;
  allowHost?: string[];
  maxCache?: number;
  torrentPort?: number;
  dht: boolean;
  lsd: boolean;
  nat: boolean;
  quiet?: boolean;
  json?: boolean;
}

export function runtimeOptions(flags: ServeFlags, portFallback: boolean) {
  return {
    host: flags.host,
    port: flags.port ?? 8977,
    portFallback: portFallback && flags.port === undefined,
    dir: flags.dir,
    token: flags.token,
    allowedHosts: flags.allowHost?.map((name) => name.toLowerCase()),
    maxCacheBytes: flags.maxCache,
    torrentPort: flags.torrentPort,
    dht: flags.dht,
    lsd: flags.lsd,
    nat: flags.nat,
  };
}

export async function runServe(flags: ServeFlags): Promise<number> {
  const runtime = await startRuntime({
    ...runtimeOptions(flags, false),
    logLevel: flags.quiet ? 'warn' : 'info',
  });
  // Signals are handled before the URL is out: whoever reads it may stop us at once.
  const stopped = untilShutdown(runtime);
  const tokenHint = flags.token ? ' (token required)' : '';
  process.stdout.write(
    `streamtide ${runtime.url}${tokenHint} — FFmpeg: ${runtime.tools.version} (${runtime.tools.origin})\n`,
  );
  return stopped;
}
