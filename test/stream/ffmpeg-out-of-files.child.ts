// Run by ffmpeg-out-of-files.test.ts under a low `ulimit -n`: takes every free descriptor, starts an FFmpeg
// job, and prints how it ended. Getting here without a crash is half of what the test checks.
import { closeSync, openSync } from 'node:fs';
import { FfmpegJob } from '../../src/stream/ffmpeg-job.js';
import { ControllableSource, patternBytes } from '../helpers/controllable-source.js';

const [binary, readBuffer] = process.argv.slice(2) as [string, 'fresh' | 'reused'];
const taken: number[] = [];
try {
  for (;;) taken.push(openSync('/dev/null', 'r'));
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== 'EMFILE') throw err;
}
const job = FfmpegJob.start({
  binary,
  args: (input) => ['-hide_banner', '-f', 'u8', '-ar', '8000', '-i', input, '-f', 'u8', 'pipe:1'],
  input: { kind: 'pipe', source: new ControllableSource(patternBytes(1000), { available: true }) },
  readBuffer,
});
job.output.resume();
const result = await job.done;
await job.stop();
for (const fd of taken) closeSync(fd);
process.stdout.write(
  `${JSON.stringify({ outcome: result.outcome, code: result.error?.code, pid: job.pid })}\n`,
);
