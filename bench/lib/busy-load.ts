/**
 * A known load for the bench: busy loops, each in a session of its own. Linux's scheduler (autogroup) shares
 * the CPU between sessions first, so a loop started in the bench's own session would only compete with the
 * bench's processes; in its own session it weighs like another user's program, which is the load a shared
 * machine has. Stopped by PID.
 */
import { type Child, start } from './procs.js';

export interface BusyLoad {
  processes: number;
  stop(): Promise<void>;
}

export function startBusyLoad(processes: number): BusyLoad {
  const children: Child[] = [];
  for (let i = 0; i < processes; i++) {
    children.push(start('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore', detached: true }));
  }
  return {
    processes,
    stop: async () => {
      await Promise.all(children.map((child) => child.stop(1000)));
    },
  };
}
