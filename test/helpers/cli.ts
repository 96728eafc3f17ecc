/**
 * Runs the built CLI (dist/cli/main.js) as a user would, and reads its output line by line: with stdout a pipe,
 * or in a pseudo-terminal (through `script`) where the CLI sees a real terminal.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childProcesses } from './processes.js';

export const cliPath = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching the pattern (rejects if the process exits first). */
  line(pattern: RegExp): Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `script` is another entry point of the build to run the same way (dist/cluster/main.js). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, script = cliPath): CliRun {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return readOutput(child);
}

/** Why terminal tests cannot run here (no `script` from util-linux), or false. */
export const noTerminal =
  !(process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, 'script'))) &&
  'needs `script` (util-linux) for a pseudo-terminal';

export interface TerminalRun extends CliRun {
  /** The CLI's own PID (`child` is `script`): signals go to it, as Ctrl-C would. */
  cliPid(): number;
}

/**
 * The CLI in a pseudo-terminal (`script`), its stdout and stderr merged as on a screen, CRLF turned into LF.
 * `child` is `script`; stop the CLI by signalling `cliPid()`.
 */
export function runCliInTerminal(args: string[], env: NodeJS.ProcessEnv = {}): TerminalRun {
  const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
  const command = ['exec', process.execPath, cliPath, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { ...process.env, ...env },
    // stdin stays open: at its end `script` would end the session.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const run = readOutput(child, (text) => text.replaceAll('\r\n', '\n'));
  return {
    ...run,
    cliPid() {
      const [pid] = childProcesses('node', child.pid!);
      if (!pid) throw new Error('the CLI is not running under script');
      return pid;
    },
  };
}

function readOutput(child: ChildProcess, clean: (text: string) => string = (text) => text): CliRun {
  let out = '';
  let err = '';
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out = clean(out + chunk);
    for (const waiter of [...waiters]) {
      const found = out.split('\n').find((line) => waiter.pattern.test(line));
      if (found) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(found);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    line(pattern) {
      const found = out.split('\n').find((line) => pattern.test(line));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        exit.then(({ code }) =>
          reject(new Error(`CLI exited (${code}) before printing ${pattern}: ${out}\n${err}`)),
        );
      });
    },
  };
}

/** Flags that keep a test CLI on loopback, off the DHT, and in its own folder. */
export function isolatedFlags(dir: string): string[] {
  return ['--port', '0', '--dir', dir, '--no-dht', '--no-lsd', '--no-nat', '--torrent-port', '0'];
}
