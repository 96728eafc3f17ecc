/**
 * Runs the built CLI in a real pseudo-terminal (a private tmux server), as a user at a keyboard: the keys
 * sent are what the terminal turns into signals (Ctrl-C -> SIGINT), or not when stdin is in raw mode.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath } from './cli.js';
import { childProcesses } from './processes.js';

let sessions = 0;

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface TerminalRun {
  screen(): string;
  /** Waits (bounded) until the screen shows the pattern. */
  waitFor(pattern: RegExp, deadlineMs?: number): Promise<void>;
  keys(...keys: string[]): void;
  /** The CLI's PID (the child of the shell in the pane). */
  pid(): number;
  /** Resolves with the exit code once the CLI has ended; rejects past the deadline. */
  exitCode(deadlineMs?: number): Promise<number>;
  /** Stops this tmux server only (its socket is private to the run). */
  close(): void;
}

export function runInTerminal(args: string[]): TerminalRun {
  const dir = mkdtempSync(join(tmpdir(), 'streamtide-tty-'));
  const socket = `streamtide-test-${process.pid}-${++sessions}`;
  const rc = join(dir, 'rc');
  const script = join(dir, 'run.sh');
  // bash, not sh: it waits out the CLI on Ctrl-C (dash would die with the SIGINT before recording the code).
  // It stays after the CLI ends to record its code and keep the screen.
  writeFileSync(
    script,
    `${[process.execPath, cliPath, ...args].map(quote).join(' ')}\necho $? > ${quote(`${rc}.tmp`)}\nmv ${quote(`${rc}.tmp`)} ${quote(rc)}\nsleep 60\n`,
  );
  const tmux = (...rest: string[]) =>
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...rest], { encoding: 'utf8' });
  tmux('new-session', '-d', '-x', '120', '-y', '30', `bash ${quote(script)}`);
  const screen = () => tmux('capture-pane', '-p');
  return {
    screen,
    async waitFor(pattern, deadlineMs = 30_000) {
      const until = Date.now() + deadlineMs;
      while (!pattern.test(screen())) {
        if (Date.now() > until) throw new Error(`the screen never showed ${pattern}:\n${screen()}`);
        await pause(100);
      }
    },
    keys(...keys) {
      tmux('send-keys', ...keys);
    },
    pid() {
      const shell = Number(tmux('display-message', '-p', '#{pane_pid}').trim());
      const [pid] = childProcesses('node', shell);
      if (!pid) throw new Error('the CLI is not running');
      return pid;
    },
    async exitCode(deadlineMs = 10_000) {
      const until = Date.now() + deadlineMs;
      while (!existsSync(rc)) {
        if (Date.now() > until) throw new Error(`the CLI did not exit:\n${screen()}`);
        await pause(20);
      }
      return Number(readFileSync(rc, 'utf8').trim());
    },
    close() {
      try {
        tmux('kill-server');
      } catch {
        // Already gone.
      }
    },
  };
}
