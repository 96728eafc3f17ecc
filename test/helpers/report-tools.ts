/**
 * Prints, in one line, which FFmpeg and Chromium a test run uses (found as the tests find them), so a log
 * shows whether a pass ran on the system's binaries or on the npm ones. STREAMTIDE_EXPECT_TOOLS=npm|system
 * makes a mismatch fatal: CI's passes must not quietly test the other binaries.
 */
import { execFileSync } from 'node:child_process';
import { type FfmpegTools, locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';
import { type ChromiumBinary, locateChromium } from './browser.js';

const ffmpeg = await locateFfmpeg().catch((err: Error) => err);
const chromium = await locateChromium().catch((err: Error) => err);
const describeFfmpeg = (t: FfmpegTools) => `${t.version} (${t.origin}: ${t.ffmpeg}, ffprobe ${t.ffprobe})`;
const describeChromium = (c: ChromiumBinary) => {
  const version = execFileSync(c.path, ['--version'], {
    encoding: 'utf8',
    timeout: 30_000,
    stdio: ['ignore', 'pipe', 'ignore'], // Debian's launcher script chatters on stderr
  }).trim();
  return `${version} (${c.origin}: ${c.path})`;
};
console.log(
  `# tools: ${ffmpeg instanceof Error ? `no FFmpeg: ${ffmpeg.message}` : describeFfmpeg(ffmpeg)}; ` +
    `${chromium instanceof Error ? `no Chromium: ${chromium.message}` : describeChromium(chromium)}`,
);

const expected = process.env.STREAMTIDE_EXPECT_TOOLS;
if (expected) {
  const got = [
    ffmpeg instanceof Error ? 'none' : ffmpeg.origin === 'npm' ? 'npm' : 'system',
    chromium instanceof Error ? 'none' : chromium.origin === 'npm' ? 'npm' : 'system',
  ];
  if (got.some((origin) => origin !== expected)) {
    console.error(`# expected ${expected} FFmpeg and Chromium, got FFmpeg ${got[0]}, Chromium ${got[1]}`);
    process.exit(1);
  }
}
