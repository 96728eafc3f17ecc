/**
 * aria2c as the download-throughput reference: the same .torrent (announcing to the seeder's loopback
 * tracker), DHT, LPD and PEX off, into a fresh folder; timed from spawn to its exit once the file is complete.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from '../lib/procs.js';
import { now } from '../lib/stats.js';

export async function aria2Download(torrent: Buffer, expectBytes: number, name: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'streamtide-bench-aria2-'));
  const file = join(dir, 'input.torrent');
  writeFileSync(file, torrent);
  const out = join(dir, 'out');
  try {
    const started = now();
    const child = start('aria2c', [
      ...[
        '--dir',
        out,
        '--seed-time=0',
        '--enable-dht=false',
        '--enable-dht6=false',
        '--bt-enable-lpd=false',
      ],
      ...[
        '--enable-peer-exchange=false',
        '--file-allocation=none',
        '--disable-ipv6=true',
        '--summary-interval=0',
      ],
      ...[
        '--console-log-level=error',
        '--quiet=true',
        '--bt-stop-timeout=120',
        '--listen-port=51413-51500',
        file,
      ],
    ]);
    const code = await child.exited;
    const ms = now() - started;
    if (code !== 0) throw new Error(`aria2c exited with ${code}`);
    const got = statSync(join(out, name)).size;
    if (got !== expectBytes) throw new Error(`aria2c wrote ${got} of ${expectBytes} bytes`);
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
