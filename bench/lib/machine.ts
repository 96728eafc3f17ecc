/** What the figures were measured on, recorded with every result. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';

/** The first line a command prints, on stdout or (transmission-daemon's version) stderr. */
function firstLine(cmd: string, args: string[]): string {
  try {
    const out = spawnSync(cmd, args, { encoding: 'utf8' });
    if (out.status !== 0) return 'not found';
    return `${out.stdout}${out.stderr}`.split('\n')[0]!.trim();
  } catch {
    return 'not found';
  }
}

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  ffmpeg: string;
  aria2c: string;
  transmission: string;
  webtorrentCli: string;
  loadAverage: number[];
}

/** `ffmpeg` is the version line of the FFmpeg the server will use (found as the product finds it). */
export async function describeMachine(): Promise<Machine> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cliPackage = new URL('../../node_modules/webtorrent-cli/package.json', import.meta.url);
  let webtorrentCli = 'not installed';
  try {
    webtorrentCli = (JSON.parse(readFileSync(cliPackage, 'utf8')) as { version: string }).version;
  } catch {}
  return {
    nproc: availableParallelism(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    ffmpeg: await locateFfmpeg().then(
      (tools) => `${tools.version} (${tools.origin})`,
      () => 'not found',
    ),
    aria2c: firstLine('aria2c', ['--version']),
    transmission: firstLine('transmission-daemon', ['--version']),
    webtorrentCli,
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
  };
}
