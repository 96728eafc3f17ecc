/** Starts bench/seeder.ts as a child and collects the torrents it seeds. */
import { fileURLToPath } from 'node:url';
import type { SeededTorrent, SeederConfig } from '../seeder.js';
import { type Child, start } from './procs.js';

export interface RunningSeeder {
  child: Child;
  torrents: SeededTorrent[];
  port: number;
  announce: string[];
  /** Torrents of one file, in seeding order (the first is the file under its own name). */
  of(path: string): SeededTorrent[];
  close(): Promise<void>;
}

const script = fileURLToPath(new URL('../seeder.ts', import.meta.url));

export async function startSeeder(config: SeederConfig, timeoutMs = 180_000): Promise<RunningSeeder> {
  const child = start(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const torrents: SeededTorrent[] = [];
  const ready = await new Promise<{ port: number; announce: string[] }>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('the seeder did not get ready in time')), timeoutMs);
    child.proc.stdout?.on('data', (data: Buffer) => {
      buffered += data.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as SeededTorrent & { ready?: boolean };
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        if (line.ready) {
          clearTimeout(timer);
          resolve(line as unknown as { port: number; announce: string[] });
        } else torrents.push(line);
      }
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the seeder exited (${code})`));
    });
  });
  return {
    child,
    torrents,
    port: ready.port,
    announce: ready.announce,
    of: (path) => torrents.filter((t) => t.file === path),
    close: async () => {
      child.proc.stdin?.end();
      await child.stop(5000);
    },
  };
}
