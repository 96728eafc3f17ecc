/**
 * aria2c as the download-throughput reference: the same .torrent (announcing to the seeder's loopback
 * tracker), DHT, LPD and PEX off, into a fresh folder; timed from spawn to its exit once the file is complete.
 * Its CPU time is what the shell that runs it reports for its children (`times`).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from '../lib/procs.js';
import { now } from '../lib/stats.js';

export interface Aria2Run {
  ms: number;
  /** User + system CPU seconds aria2c used. */
  cpuSeconds: number;
  /** The system (kernel) part of them. */
  systemSeconds: number;
}

export async function aria2Download(torrent: Buffer, expectBytes: number, name: string): Promise<Aria2Run> {
  const dir = mkdtempSync(join(tmpdir(), 'streamtide-bench-aria2-'));
  const file = join(dir, 'input.torrent');
  writeFileSync(file, torrent);
  const out = join(dir, 'out');
  try {
    const started = now();
    const script = 'aria2c "$@"; code=$?; times; exit $code';
    const child = start('sh', [
      '-c',
      script,
      'sh',
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
    let printed = '';
    child.proc.stdout?.on('data', (data: Buffer) => {
      printed += data.toString();
    });
    const code = await child.exited;
    const ms = now() - started;
    if (code !== 0) throw new Error(`aria2c exited with ${code}`);
    const got = statSync(join(out, name)).size;
    if (got !== expectBytes) throw new Error(`aria2c wrote ${got} of ${expectBytes} bytes`);
    // `times` prints the shell's own user and system time, then its children's: `0m1.23s 0m0.45s`.
    const children = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/.exec(printed.trim());
    if (!children) throw new Error(`no CPU times from the shell that ran aria2c: ${printed}`);
    const [min1, sec1, min2, sec2] = children.slice(1).map(Number) as [number, number, number, number];
    return { ms, cpuSeconds: min1 * 60 + sec1 + min2 * 60 + sec2, systemSeconds: min2 * 60 + sec2 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
