/** Process helpers for tests, read from /proc. */
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { eventually } from './eventually.js';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  name: string;
}

/** Every process now: PID, parent PID and name. */
export function processTable(): ProcessEntry[] {
  const table: ProcessEntry[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may contain spaces, so split after the closing parenthesis.
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      table.push({ pid: Number(entry), ppid, name });
    } catch {
      // The process ended while we looked.
    }
  }
  return table;
}

/** Which FFmpeg processes this test process has started and not yet reaped (by parent PID). */
export function childProcesses(name = 'ffmpeg', parent = process.pid): number[] {
  return processTable()
    .filter((entry) => entry.ppid === parent && entry.name === name)
    .map((entry) => entry.pid);
}

/** `childProcesses()` once it lists one (bounded): a process shows up in /proc a moment after its spawn. */
export async function childProcessesSoon(deadlineMs = 10_000): Promise<number[]> {
  let found: number[] = [];
  await eventually(() => {
    found = childProcesses();
    return found.length > 0;
  }, deadlineMs);
  return found;
}

/** Whether `pid` is one of `roots` or below one of them (a process gone counts as not). */
export function descendsFrom(pid: number, roots: number[]): boolean {
  const parents = new Map(processTable().map((entry) => [entry.pid, entry.ppid]));
  for (let at: number | undefined = pid; at !== undefined && at > 1; at = parents.get(at)) {
    if (roots.includes(at)) return true;
  }
  return false;
}

/** Whether a process still runs (a zombie does not: it runs nothing). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
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
