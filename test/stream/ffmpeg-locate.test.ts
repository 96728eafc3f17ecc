import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FfmpegNotFoundError, locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';

const dir = mkdtempSync(join(tmpdir(), 'streamtide-locate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A PATH folder holding whichever working FFmpeg this machine has (the system's or npm's), so these tests
// run the same with and without a system FFmpeg.
const binDir = join(dir, 'bin');
let realFfmpeg: string;
let realFfprobe: string;
before(async () => {
  ({ ffmpeg: realFfmpeg, ffprobe: realFfprobe } = await locateFfmpeg());
  mkdirSync(binDir);
  symlinkSync(realFfmpeg, join(binDir, 'ffmpeg'));
  symlinkSync(realFfprobe, join(binDir, 'ffprobe'));
});

test('PATH: absolute ffmpeg and ffprobe with the version line', async () => {
  const tools = await locateFfmpeg({ PATH: binDir });
  assert.equal(tools.origin, 'path');
  assert.equal(tools.ffmpeg, join(binDir, 'ffmpeg'));
  assert.equal(tools.ffprobe, join(binDir, 'ffprobe'));
  assert.match(tools.version, /^ffmpeg version \S+/);
  assert.doesNotMatch(tools.version, /Copyright/);
  assert.equal(await locateFfmpeg({ PATH: binDir }), tools, 'cached per env');
});

test('$FFMPEG_PATH wins, with ffprobe found beside it', async () => {
  const envDir = join(dir, 'env');
  mkdirSync(envDir);
  symlinkSync(realFfmpeg, join(envDir, 'ffmpeg'));
  symlinkSync(realFfprobe, join(envDir, 'ffprobe'));
  const tools = await locateFfmpeg({ FFMPEG_PATH: join(envDir, 'ffmpeg'), PATH: '' });
  assert.deepEqual(
    { origin: tools.origin, ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe },
    { origin: 'env', ffmpeg: join(envDir, 'ffmpeg'), ffprobe: join(envDir, 'ffprobe') },
  );
});

test('a broken $FFMPEG_PATH falls through to PATH', async () => {
  const fake = join(dir, 'fake-ffmpeg');
  writeFileSync(fake, '#!/bin/sh\nexit 3\n');
  chmodSync(fake, 0o755);
  const tools = await locateFfmpeg({ FFMPEG_PATH: fake, PATH: binDir });
  assert.equal(tools.origin, 'path');
});

test('nothing on PATH: the npm-shipped binaries', async () => {
  const tools = await locateFfmpeg({ PATH: join(dir, 'empty') });
  assert.equal(tools.origin, 'npm');
  assert.match(tools.ffmpeg, /@ffmpeg-installer/);
  assert.match(tools.ffprobe, /@ffprobe-installer/);
  assert.match(tools.version, /^ffmpeg version/);
});

test('a broken $FFMPEG_PATH and an empty PATH still reach npm; the error carries its code', async () => {
  const fake = join(dir, 'nothing-ffmpeg');
  writeFileSync(fake, '#!/bin/sh\nexit 1\n');
  chmodSync(fake, 0o755);
  // Only the env candidate is broken; the npm packages still exist, so the fallback chain must reach them.
  const tools = await locateFfmpeg({ FFMPEG_PATH: fake, PATH: '' });
  assert.equal(tools.origin, 'npm');
  const err = new FfmpegNotFoundError(['a', 'b']);
  assert.equal(err.code, 'FFMPEG_NOT_FOUND');
  assert.match(err.message, /FFMPEG_PATH/);
});
