// Runs test files with node's own runner (Node 20 has no --test globs). Arguments are files or folders;
// without any, every test under test/ except the soak tests (test/soak: `npm run test:soak`).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function collect(dir, top = true) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const skip = name === 'helpers' || (top && name === 'soak');
    if (statSync(path).isDirectory()) return skip ? [] : collect(path, false);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = (only.length > 0 ? only : ['test']).flatMap((path) =>
  statSync(path).isDirectory() ? collect(path, path === 'test').sort() : [path],
);
// One line saying which FFmpeg and Chromium this run uses (system or npm); fails on an unmet
// STREAMTIDE_EXPECT_TOOLS.
const report = fileURLToPath(new URL('../test/helpers/report-tools.ts', import.meta.url));
const reported = spawnSync(process.execPath, ['--import', 'tsx', report], { stdio: 'inherit' });
if (reported.status !== 0) process.exit(reported.status ?? 1);
const args = ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=240000', ...files];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
