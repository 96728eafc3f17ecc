/**
 * In a real terminal, Ctrl-C and SIGTERM stop the CLI with exit 0 within 2 s at every stage: while it fetches
 * metadata (spinner), with --list, and while it streams (status bar).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isolatedFlags, noTerminal, runCliInTerminal } from '../helpers/cli.js';
import { makeMedia } from '../helpers/media.js';
import { alive } from '../helpers/processes.js';
import { runInTerminal, type TerminalRun } from '../helpers/terminal.js';

// An info-hash nobody seeds: with DHT, LSD and NAT off the CLI stays in "fetching metadata…".
const deadMagnet = `magnet:?xt=urn:btih:${'0123456789abcdef'.repeat(2)}01234567`;
const flags = () => isolatedFlags(mkdtempSync(join(tmpdir(), 'streamtide-tty-dir-')));

async function stopsCleanly(run: TerminalRun, stop: () => void): Promise<void> {
  const stoppedAt = Date.now();
  stop();
  const code = await run.exitCode();
  const elapsed = Date.now() - stoppedAt;
  const screen = run.screen();
  assert.equal(code, 0, screen);
  assert.ok(elapsed < 2000, `exited ${elapsed} ms after the stop`);
  assert.doesNotMatch(screen, /engine was closed|streamtide: /);
}

describe('in a terminal', () => {
  it('Ctrl-C while fetching metadata exits 0', async () => {
    const run = runInTerminal([deadMagnet, ...flags()]);
    try {
      await run.waitFor(/fetching metadata/);
      await stopsCleanly(run, () => run.keys('C-c'));
    } finally {
      run.close();
    }
  });

  it('SIGTERM while fetching metadata exits 0', async () => {
    const run = runInTerminal([deadMagnet, ...flags()]);
    try {
      await run.waitFor(/fetching metadata/);
      const pid = run.pid();
      await stopsCleanly(run, () => process.kill(pid, 'SIGTERM'));
    } finally {
      run.close();
    }
  });

  it('Ctrl-C during --list (waiting for the file list) exits 0', async () => {
    const run = runInTerminal([deadMagnet, '--list', ...flags()]);
    try {
      await run.waitFor(/fetching metadata/);
      await stopsCleanly(run, () => run.keys('C-c'));
    } finally {
      run.close();
    }
  });

  it('Ctrl-C while streaming (status bar shown) exits 0', async () => {
    const mkv = await makeMedia('mkv-h264-aac');
    const run = runInTerminal([mkv, ...flags()]);
    try {
      await run.waitFor(/^stream: /m);
      await run.waitFor(/buffered/);
      // The live progress the contract names: progress, download speed, peers, buffered ahead.
      assert.match(
        run.screen(),
        /\d+(\.\d+)?% \| ↓ [\d.]+ [kMG]?B\/s \| \d+ peers? \| buffered [\d.]+ [kMG]?B/,
      );
      await stopsCleanly(run, () => run.keys('C-c'));
    } finally {
      run.close();
    }
  });
});

describe('in a terminal that reports no size', { skip: noTerminal }, () => {
  // `script` with stdin a pipe gives its pseudo-terminal 0 columns, as a container's terminal has before its
  // first resize: a spinner that divides by the width must not spin forever (Ctrl-C would never be handled).
  it('shows the metadata spinner and Ctrl-C still exits 0', async () => {
    const run = runCliInTerminal([deadMagnet, ...flags()]);
    let pid = 0;
    try {
      await run.line(/fetching metadata/);
      pid = run.cliPid();
      process.kill(pid, 'SIGINT');
      const deadline = new Promise<'hung'>((resolve) => setTimeout(resolve, 20_000, 'hung').unref());
      const result = await Promise.race([run.exit, deadline]);
      assert.deepEqual(result, { code: 0, signal: null }, `${run.stdout().slice(0, 400)}`);
      assert.ok(run.stdout().length < 64 * 1024, `${run.stdout().length} bytes written to the terminal`);
    } finally {
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
      run.child.kill();
    }
  });
});
