/** Which FFmpeg processes this test process has started and not yet reaped (read from /proc, by parent PID). */
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

export function childProcesses(name = 'ffmpeg', parent = process.pid): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may contain spaces, so split after the closing parenthesis.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && comm === name) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Waits (bounded) until no FFmpeg child is left; returns the PIDs still alive at the deadline. */
export async function ffmpegChildrenGone(deadlineMs = 3000): Promise<number[]> {
  const until = Date.now() + deadlineMs;
  let left = childProcesses();
  while (left.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = childProcesses();
  }
  return left;
}

/** An FFmpeg stand-in script: runs `body` (sh) before anything else; `real` is the located FFmpeg, quoted. */
export function ffmpegWrapper(path: string, real: string, body: (quotedReal: string) => string): string {
  const quoted = `'${real.replaceAll("'", `'\\''`)}'`;
  writeFileSync(path, `#!/bin/sh\n${body(quoted)}\n`);
  chmodSync(path, 0o755);
  return path;
}
