/**
 * peerflix (npm, 0.39) as a reference player's server: bench/refs/peerflix-engine.cjs in its own process,
 * DHT and trackers off, the swarm's peers given by hand, a fresh download folder. Resolves once its HTTP
 * server answers, which peerflix opens only once it has the metadata.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, start } from '../lib/procs.js';
import { now } from '../lib/stats.js';

const engine = fileURLToPath(new URL('./peerflix-engine.cjs', import.meta.url));

export interface Peerflix {
  child: Child;
  /** The torrent's one file, as peerflix serves it. */
  fileUrl: string;
  /** `now()` when its HTTP server first answered. */
  answeredAt: number;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
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

export async function startPeerflix(magnet: string, peers: string[], timeoutMs = 120_000): Promise<Peerflix> {
  const dir = mkdtempSync(join(tmpdir(), 'streamtide-bench-peerflix-'));
  const config = { magnet, peers, dir, port: await freePort(), peerPort: await freePort() };
  const child = start(process.execPath, [engine, JSON.stringify(config)], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const close = async () => {
    child.proc.stdin?.end();
    await child.stop(3000);
    rmSync(dir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${config.port}`;
  const until = now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null) {
      await close();
      throw new Error(`peerflix exited: ${stderr.slice(-500)}`);
    }
    try {
      const response = await fetch(`${base}/.json`);
      await response.arrayBuffer();
      break;
    } catch {
      if (now() > until) {
        await close();
        throw new Error(`peerflix did not listen: ${stderr.slice(-500)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  return { child, fileUrl: `${base}/0`, answeredAt: now(), close };
}
