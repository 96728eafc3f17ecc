/**
 * The server under test: the built CLI (`dist/cli/main.js`) in a child process, exactly what a user runs,
 * with DHT, LSD and UPnP/NAT-PMP off and random ports. `BENCH_NODE_FLAGS` adds node flags (e.g.
 * `--cpu-prof --cpu-prof-dir=bench/results/prof`) for profiling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, start, waitForLine } from './procs.js';

export interface ServerChild {
  child: Child;
  pid: number;
  url: string;
  /** The file given on the command line, when started on a local file. */
  streamUrl?: string;
  dir: string;
  close(): Promise<void>;
}

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** The CLI flags every benched server runs with: random ports, `dir` for its data, no DHT/LSD/NAT, quiet. */
export function serverFlags(dir: string, extra: string[] = []): string[] {
  return [
    '--port',
    '0',
    '--torrent-port',
    '0',
    '--dir',
    dir,
    '--no-dht',
    '--no-lsd',
    '--no-nat',
    '--quiet',
    ...extra,
  ];
}

/** `extra`: more CLI flags (e.g. `--download-limit 4M`). */
export async function startServer(localFile?: string, extra: string[] = []): Promise<ServerChild> {
  const dir = mkdtempSync(join(tmpdir(), 'streamtide-bench-server-'));
  const flags = serverFlags(dir, extra);
  const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const args = localFile ? [cli, localFile, ...flags] : [cli, 'serve', ...flags];
  const child = start(process.execPath, [...nodeFlags, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let url: string;
  let streamUrl: string | undefined;
  try {
    if (localFile) {
      streamUrl = (await waitForLine(child, /^stream: (\S+)/))[1]!;
      url = new URL(streamUrl).origin;
    } else {
      // stdout is a pipe, so the banner is a JSON log line carrying the URL.
      url = (await waitForLine(child, /"url":"(http:\/\/[^"]+)"/))[1]!;
    }
  } catch (err) {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    child,
    pid: child.pid,
    url,
    streamUrl,
    dir,
    close: async () => {
      await child.stop(5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
