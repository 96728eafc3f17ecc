/**
 * Where mpv is in the file, through its JSON IPC (`--input-ipc-server`, one JSON object per line): mpv opens
 * the socket once it runs, so connecting is tried again until it is there (or mpv is gone); then mpv is asked
 * to report `time-pos`, which it does at once and on every change. mpv closes the socket when it quits, after
 * its last report: once `closed` resolves, `last` is where the viewer left.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RETRY_MS = 100;
/** mpv makes its socket within a second of starting; a player that has none by then never will. */
const GIVE_UP_MS = 15_000;
const OBSERVE_ID = 1;

/** A fresh IPC path: a named pipe on Windows, a socket file in the temp folder elsewhere. */
export function mpvIpcPath(): string {
  const name = `streamtide-mpv-${process.pid}-${randomBytes(4).toString('hex')}`;
  return process.platform === 'win32' ? `\\\\.\\pipe\\${name}` : join(tmpdir(), `${name}.sock`);
}

export class MpvPosition {
  /** The last `time-pos` mpv reported, in seconds; null before any. */
  last: number | null = null;
  /** Resolves once the socket is closed (mpv quit) or connecting was given up. */
  readonly closed: Promise<void>;
  private socket: Socket | undefined;
  private stopped = false;

  constructor(private readonly path: string) {
    this.closed = this.follow();
  }

  /** Stops following (the session ends); the socket file is removed. */
  stop(): void {
    this.stopped = true;
    this.socket?.destroy();
  }

  private async follow(): Promise<void> {
    const until = Date.now() + GIVE_UP_MS;
    try {
      while (!this.stopped && Date.now() < until) {
        const socket = await this.connect();
        if (socket) return await this.read(socket);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
      }
    } finally {
      if (process.platform !== 'win32') rmSync(this.path, { force: true });
    }
  }

  private connect(): Promise<Socket | null> {
    return new Promise((resolve) => {
      const socket = connect(this.path);
      socket.once('connect', () => resolve(socket));
      socket.once('error', () => {
        socket.destroy();
        resolve(null);
      });
    });
  }

  private read(socket: Socket): Promise<void> {
    this.socket = socket;
    if (this.stopped) socket.destroy();
    socket.setEncoding('utf8');
    socket.write(`${JSON.stringify({ command: ['observe_property', OBSERVE_ID, 'time-pos'] })}\n`);
    let pending = '';
    socket.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.take(line);
    });
    return new Promise((resolve) => socket.once('close', () => resolve()));
  }

  private take(line: string): void {
    let message: { event?: unknown; id?: unknown; data?: unknown };
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    // null while nothing is loaded (between files, at the end): the last real position stands.
    const { event, id, data } = message;
    if (event === 'property-change' && id === OBSERVE_ID && typeof data === 'number' && Number.isFinite(data))
      this.last = Math.max(0, data);
  }
}
