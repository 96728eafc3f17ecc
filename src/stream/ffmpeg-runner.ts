/**
 * Spawning FFmpeg (or ffprobe) without a shell, keeping the last stderr lines for error reports, and
 * killing it for sure: SIGTERM, then SIGKILL, resolved only once the process has exited.
 */
import { type ChildProcess, type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';

export interface FfmpegProcess {
  readonly pid: number;
  /** Null when stdin was given a descriptor: the process reads it directly. */
  readonly stdin: Writable | null;
  /** Null when stdout was given a socket: the caller reads its other end. */
  readonly stdout: Readable | null;
  stderrTail(): string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, SIGKILL after ~500 ms; resolves once the process is gone. */
  kill(): Promise<void>;
}

const TAIL_LINES = 20;
const KILL_GRACE_MS = 500;

/** Every FFmpeg/ffprobe this process started and has not reaped yet. */
const running = new Set<FfmpegProcess>();
const children = new Set<ChildProcess>();
// Whatever way the process exits (a shutdown deadline, process.exit), none of its FFmpegs outlives it.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Stops every FFmpeg/ffprobe still running (SIGTERM, then SIGKILL) and resolves once all are reaped. */
export async function stopAllFfmpeg(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.kill()));
}

export interface RunOptions {
  /** A descriptor the process gets as its stdin (the caller still closes its own); default a pipe. */
  stdinFd?: number;
  /** A socket the process gets as its stdout (the caller closes its own copy once spawned); default a pipe. */
  stdout?: Socket;
  /** Added to this process's environment (which only the same user can read, unlike the command line). */
  env?: Record<string, string>;
}

export function runFfmpeg(binary: string, args: string[], options: RunOptions = {}): FfmpegProcess {
  const tail: string[] = [];
  let partial = '';
  const keep = (line: string) => {
    if (line.trim() === '') return;
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  const child = spawn(binary, args, {
    stdio: [options.stdinFd ?? 'pipe', options.stdout ?? 'pipe', 'pipe'],
    env: options.env && { ...process.env, ...options.env },
    shell: false,
    windowsHide: true,
  }) as ChildProcessByStdio<Writable | null, Readable | null, Readable | null>;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // Listened to first: a spawn that failed (ENOENT, EACCES, EMFILE) reports it here, with no process to
    // wait for and, out of file descriptors, without its stdio either.
    child.once('error', (err) => {
      keep(`${binary}: ${err.message}`);
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });
  const { stderr } = child;
  stderr?.setEncoding('utf8');
  stderr?.on('data', (text: string) => {
    const lines = (partial + text).split(/\r?\n|\r/);
    partial = lines.pop() ?? '';
    for (const line of lines) keep(line);
  });
  // EPIPE when FFmpeg exits before reading all its input: the writer (the pump) sees it through its own
  // listener; this one only keeps an unhandled 'error' from crashing the process.
  child.stdin?.on('error', () => undefined);
  child.stdout?.on('error', () => undefined);
  // stderr's last lines can arrive after 'exit': wait for both, so an error report has them.
  const stderrClosed = new Promise<void>((resolve) => (stderr ? stderr.once('close', resolve) : resolve()));
  const exited = Promise.all([exit, stderrClosed]).then(([status]) => {
    keep(partial);
    partial = '';
    return status;
  });

  let killing: Promise<void> | null = null;
  const proc: FfmpegProcess = {
    pid: child.pid ?? -1,
    stdin: child.stdin,
    stdout: child.stdout,
    stderrTail: () => [...tail],
    exited,
    kill() {
      killing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
          child.kill('SIGTERM');
          const hard = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
          await exited;
          clearTimeout(hard);
        }
        await exited;
      })();
      return killing;
    },
  };
  if (child.pid !== undefined) {
    running.add(proc);
    children.add(child);
    void exited.then(() => {
      running.delete(proc);
      children.delete(child);
    });
  }
  return proc;
}

/** All of a process's output as text; resolves on end, or on close when the process was killed mid-way. */
export function collectText(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', done);
    stream.once('close', done);
  });
}
