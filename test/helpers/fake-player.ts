/**
 * Stand-in player executables on a temp PATH: each records its argv, fetches the URL it was given with a
 * Range request, as a real player does, records what came back, then quits as if the viewer closed it.
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
const args = process.argv.slice(2);
const url = args.find((arg) => arg.startsWith('http'));
fetch(url, { headers: { range: 'bytes=${RANGE.start}-${RANGE.end}' } }).then(async (response) => {
  const bytes = Buffer.from(await response.arrayBuffer()).toString('base64');
  const contentRange = response.headers.get('content-range');
  writeFileSync(${JSON.stringify(record)}, JSON.stringify({ args, status: response.status, contentRange, bytes }));
});
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
