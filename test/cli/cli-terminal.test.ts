/**
 * In a real terminal, Ctrl-C and SIGTERM stop the CLI with exit 0 within 2 s at every stage: while it fetches
 * metadata (spinner), with --list, and while it streams (status bar).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isolatedFlags } from '../helpers/cli.js';
import { makeMedia } from '../helpers/media.js';
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
      await stopsCleanly(run, () => run.keys('C-c'));
    } finally {
      run.close();
    }
  });
});
