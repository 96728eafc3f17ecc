/**
 * A process the cluster started (a node, nginx): its output appended to a log file, in a process group of
 * its own (a Ctrl-C on the terminal reaches only the cluster, which stops its children in order), stopped
 * by PID: SIGTERM, then SIGKILL if it lingers.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Child {
  readonly pid: number;
  readonly exited: Promise<Exit>;
  private done = false;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    readonly logPath: string,
  ) {
    const log = openSync(logPath, 'a');
    try {
      const child = spawn(command, args, { stdio: ['ignore', log, log], detached: true });
      this.exited = new Promise((resolve) => {
        child.once('exit', (code, signal) => {
          this.done = true;
          resolve({ code, signal });
        });
        child.once('error', () => {
          this.done = true;
          resolve({ code: null, signal: null });
        });
      });
      if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
      this.pid = child.pid;
    } finally {
      closeSync(log);
    }
  }

  get running(): boolean {
    return !this.done;
  }

  async stop(graceMs: number): Promise<Exit> {
    if (this.running) {
      process.kill(this.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (this.running) process.kill(this.pid, 'SIGKILL');
      }, graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }
}

export function describeExit({ code, signal }: Exit): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}
