import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { FfmpegNotFoundError, locateFfmpeg } from '../../src/stream/ffmpeg-locate.js';

const systemFfmpeg = execFileSync('sh', ['-c', 'command -v ffmpeg']).toString().trim();
const systemFfprobe = execFileSync('sh', ['-c', 'command -v ffprobe']).toString().trim();
const dir = mkdtempSync(join(tmpdir(), 'streamtide-locate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('PATH: absolute ffmpeg and ffprobe with the version line', async () => {
  const tools = await locateFfmpeg({ PATH: dirname(systemFfmpeg) });
  assert.equal(tools.origin, 'path');
  assert.equal(tools.ffmpeg, systemFfmpeg);
  assert.equal(tools.ffprobe, systemFfprobe);
  assert.match(tools.version, /^ffmpeg version \S+$/);
  assert.equal(await locateFfmpeg({ PATH: dirname(systemFfmpeg) }), tools, 'cached per env');
});

test('$FFMPEG_PATH wins, with ffprobe found beside it', async () => {
  const envDir = join(dir, 'env');
  execFileSync('mkdir', ['-p', envDir]);
  symlinkSync(systemFfmpeg, join(envDir, 'ffmpeg'));
  symlinkSync(systemFfprobe, join(envDir, 'ffprobe'));
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
  const tools = await locateFfmpeg({ FFMPEG_PATH: fake, PATH: dirname(systemFfmpeg) });
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
