/**
 * Out of file descriptors, spawning FFmpeg fails with EMFILE before any process exists. The job must end
 * as a start that failed (the server answers 502 or 503 and goes on), not crash the server with an
 * unheard 'error' or hang waiting for a process or a stdout socket that never comes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';

const child = fileURLToPath(new URL('./ffmpeg-out-of-files.child.ts', import.meta.url));

for (const readBuffer of ['fresh', 'reused'] as const) {
  test(`no descriptor left: the job ends as FFMPEG_START and the process lives on (${readBuffer} reads)`, async () => {
    const { ffmpeg } = await locateFfmpeg();
    // The limit is the shell's, so that this process keeps its own; 256 leaves room for Node and tsx.
    const run = spawnSync(
      '/bin/sh',
      [
        '-c',
        'ulimit -n 256 && exec "$@"',
        'sh',
        process.execPath,
        '--import',
        'tsx',
        child,
        ffmpeg,
        readBuffer,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(run.status, 0, `the child crashed or hung: ${run.stderr}`);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
    assert.deepEqual(result, { outcome: 'failed', code: 'FFMPEG_START', pid: -1 });
  });
}
