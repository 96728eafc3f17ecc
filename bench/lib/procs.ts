/** Child processes for the bench: spawn, read /proc figures, kill by PID and reap. */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { childProcesses } from '../../test/helpers/processes.js';

export interface Child {
  proc: ChildProcess;
  pid: number;
  exited: Promise<number | null>;
  /** SIGTERM, SIGKILL after `graceMs`; resolves once reaped. */
  stop(graceMs?: number): Promise<void>;
}

export function start(cmd: string, args: string[], options: SpawnOptions = {}): Child {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => resolve(code));
    proc.once('error', () => resolve(null));
  });
  return {
    proc,
    pid: proc.pid ?? -1,
    exited,
    async stop(graceMs = 3000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return void (await exited);
      proc.kill('SIGTERM');
      const hard = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(hard);
    },
  };
}

/** Resolves with the first stdout line matching `pattern` (its match), rejecting if the child exits first. */
export function waitForLine(child: Child, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  const stdout = child.proc.stdout;
  if (!stdout) throw new Error('child has no stdout pipe');
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    lines.on('line', (line) => {
      const match = pattern.exec(line);
      if (!match) return;
      clearTimeout(timer);
      lines.removeAllListeners('line');
      lines.on('line', () => undefined); // keep draining
      resolve(match);
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before printing ${pattern}`));
    });
  });
}

/** VmRSS and VmHWM (peak) of a process, in bytes; null once it is gone. */
export function memoryOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return null;
  }
}

/** PIDs of the direct children of `parent` named `name` (ffmpeg under the server). */
export function childrenOf(parent: number, name: string): number[] {
  return childProcesses(name, parent);
}

/** User+system CPU seconds a process has used so far (from /proc/PID/stat). */
export function cpuSecondsOf(pid: number): number {
  const { user, system } = cpuTimesOf(pid);
  return user + system;
}

/** User and system (kernel) CPU seconds a process has used, all threads, from /proc. */
export function cpuTimesOf(pid: number): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime in clock ticks (100 Hz)
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}
