/**
 * Stand-in player executables on a temp PATH: each records its argv, fetches the URL it was given with a
 * Range request, as a real player does, records what came back, then quits as if the viewer closed it.
 * Given `--input-ipc-server=PATH` and FAKE_MPV_TIME_POS, it also answers there as mpv's JSON IPC does: an
 * `observe_property` of `time-pos` gets the request's answer and, at once, a `property-change` with that
 * position; it quits (closing the socket, as mpv does) once its fetch is done.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PlayerRun {
  args: string[];
  status: number;
  contentRange: string | null;
  /** The body of the Range answer. */
  bytes: Buffer;
}

export const RANGE = { start: 1000, end: 4999 };

const script = (record: string) => `#!${process.execPath}
const { writeFileSync } = require('node:fs');
const { createServer } = require('node:net');
const args = process.argv.slice(2);
const url = args.find((arg) => arg.startsWith('http'));
const fetched = fetch(url, { headers: { range: 'bytes=${RANGE.start}-${RANGE.end}' } }).then(async (response) => {
  const bytes = Buffer.from(await response.arrayBuffer()).toString('base64');
  const contentRange = response.headers.get('content-range');
  writeFileSync(${JSON.stringify(record)}, JSON.stringify({ args, status: response.status, contentRange, bytes }));
});
const ipc = args.find((arg) => arg.startsWith('--input-ipc-server='))?.slice('--input-ipc-server='.length);
const timePos = process.env.FAKE_MPV_TIME_POS;
if (ipc && timePos) {
  const server = createServer((socket) => {
    let pending = '';
    socket.setEncoding('utf8').on('data', (chunk) => {
      const lines = (pending + chunk).split('\\n');
      pending = lines.pop();
      for (const line of lines) {
        const { command, request_id } = JSON.parse(line);
        if (command[0] !== 'observe_property' || command[2] !== 'time-pos') continue;
        socket.write(JSON.stringify({ request_id: request_id ?? 0, error: 'success', data: null }) + '\\n');
        socket.write(JSON.stringify({ event: 'property-change', id: command[1], name: 'time-pos', data: Number(timePos) }) + '\\n');
        fetched.then(() => {
          socket.end();
          server.close();
        });
      }
    });
  }).listen(ipc);
  // Nobody came to the socket: quit all the same.
  setTimeout(() => process.exit(3), 20000).unref();
}
`;

/** A folder holding a fake player under `binary`; `run()` reads what it recorded. */
export function fakePlayer(binary: string): { bin: string; run(): PlayerRun } {
  const bin = mkdtempSync(join(tmpdir(), 'streamtide-bin-'));
  const record = join(bin, 'record.json');
  writeFileSync(join(bin, binary), script(record));
  chmodSync(join(bin, binary), 0o755);
  return {
    bin,
    run() {
      const recorded = JSON.parse(readFileSync(record, 'utf8')) as PlayerRun & { bytes: string };
      return { ...recorded, bytes: Buffer.from(recorded.bytes, 'base64') };
    },
  };
}
