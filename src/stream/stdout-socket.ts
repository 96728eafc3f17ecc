/**
 * A child's stdout that Node reads into one buffer it reuses, lending each chunk to a Writable and reading
 * the next only once that write's callback has fired. A child's own stdout pipe reads every chunk into a
 * fresh 64 KiB Buffer, freed only when the garbage collector finds it dead: at hundreds of MB/s tens of MiB
 * of them pile up in malloc's arena between two collections. net.Socket reads into a buffer of the caller's
 * (`onread`) only as a socket it connects, and Node has no socketpair(): a one-shot server on a socket file
 * in a private (0700) folder accepts that connection, and its end becomes the child's stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';

/** What one read takes at most: the size Node's own stream reads ask for. */
const READ_BYTES = 64 * 1024;

export interface StdoutSocket {
  /** For the child's stdio; destroy it here once the child is spawned (the child has its own copy). */
  readonly childEnd: Socket;
  /** Node's end: emits 'end' and 'close' as a stdout pipe would, never 'data' (see `lendTo`). */
  readonly reader: Socket;
  /**
   * Writes every chunk read to `output`, each a view of the one buffer, valid until that write's callback:
   * an output must be done with a chunk by then (a socket or an HTTP response is; a Transform, which
   * passes chunks on, is not). `counted` sees each chunk's length first.
   */
  lendTo(output: Writable, counted: (bytes: number) => void): void;
}

/**
 * A connected pair of local stream sockets, or null where this is not done (Windows: a named pipe would
 * be open to other users; a caller falls back to an ordinary pipe).
 */
export async function openStdoutSocket(): Promise<StdoutSocket | null> {
  if (process.platform === 'win32') return null;
  // Synchronous: two quick calls, cheaper than the thread pool's round trips.
  const dir = mkdtempSync(join(tmpdir(), 'streamtide-stdout-'));
  const path = join(dir, 's');
  const server = createServer({ pauseOnConnect: true });
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  let lend: ((bytes: number) => boolean) | null = null;
  let reader: Socket | undefined;
  try {
    reader = await new Promise<Socket>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        // Returning false stops reading until `resume()`.
        const socket = connect({ path, onread: { buffer, callback: (bytes) => lend?.(bytes) ?? false } });
        socket.once('error', reject);
        socket.once('connect', () => {
          socket.pause(); // nothing is read before `lendTo`
          socket.off('error', reject);
          // A read error closes it as the end would; FFmpeg's exit status says how the job went.
          socket.on('error', () => undefined);
          resolve(socket);
        });
      });
    });
    // Out of file descriptors, the server cannot accept what the client end already connected: that end
    // then closes, and no 'connection' ever comes.
    const connected = reader;
    const childEnd = await new Promise<Socket>((resolve, reject) => {
      void accepted.then(resolve);
      connected.once('close', () => reject(new Error('the stdout socket closed before it was accepted')));
      server.once('error', reject);
    });
    return {
      childEnd,
      reader: connected,
      lendTo(output, counted) {
        lend = (bytes) => {
          counted(bytes);
          let lending = true;
          let done = false;
          output.write(buffer.subarray(0, bytes), (err) => {
            if (err) return; // the output is gone: whoever owns it stops the child
            if (lending) done = true;
            else if (!connected.destroyed) connected.resume();
          });
          lending = false;
          // A Writable calls back on the next tick at the soonest: reading resumes there.
          return done;
        };
        connected.resume();
      },
    };
  } catch (err) {
    reader?.destroy();
    void accepted.then((socket) => socket.destroy());
    throw err;
  } finally {
    server.close(); // unlinks the socket file
    rmSync(dir, { recursive: true, force: true });
  }
}
