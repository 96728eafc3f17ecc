/**
 * webtorrent-cli (`webtorrent download MAGNET --port P`) as the reference for time to first byte: its own
 * HTTP server serves the file's bytes as they arrive. Runs with the loopback loader (no DHT/LSD/UPnP).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, start } from '../lib/procs.js';
import { now } from '../lib/stats.js';

const cli = fileURLToPath(new URL('../../node_modules/webtorrent-cli/bin/cmd.js', import.meta.url));
const hook = fileURLToPath(new URL('./loopback-hook.mjs', import.meta.url));

export interface WebtorrentCli {
  child: Child;
  base: string;
  /** `now()` when its HTTP server first answered. */
  answeredAt: number;
  fileUrl(infoHash: string, name: string): string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts webtorrent-cli on `magnet`; resolves once its HTTP server answers. `utp: false` has it dial TCP
 * only: webtorrent dials uTP first and falls back to TCP only after ~40 s of retries, which against
 * TCP-only seeders (aria2c has no uTP) would measure that fallback instead of streaming.
 */
export async function startWebtorrentCli(
  magnet: string,
  options: { utp?: boolean } = {},
): Promise<WebtorrentCli> {
  const out = mkdtempSync(join(tmpdir(), 'streamtide-bench-wtcli-'));
  const port = await freePort();
  const child = start(
    process.execPath,
    ['--import', hook, cli, 'download', magnet, '-q', '-o', out, '-p', String(port), '--keep-seeding'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, STREAMTIDE_BENCH_UTP: options.utp === false ? '0' : '1' },
    },
  );
  let stderr = '';
  child.proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const base = `http://127.0.0.1:${port}`;
  const until = now() + 30_000;
  for (;;) {
    if (child.proc.exitCode !== null) throw new Error(`webtorrent-cli exited: ${stderr.slice(-500)}`);
    try {
      const response = await fetch(`${base}/webtorrent/`);
      await response.arrayBuffer();
      break;
    } catch {
      if (now() > until) throw new Error(`webtorrent-cli did not listen: ${stderr.slice(-500)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  return {
    child,
    base,
    answeredAt: now(),
    fileUrl: (infoHash, name) => `${base}/webtorrent/${infoHash}/${encodeURIComponent(name)}`,
    close: async () => {
      await child.stop(3000);
      rmSync(out, { recursive: true, force: true });
    },
  };
}
