/**
 * A server whose FFmpeg cannot extract subtitles (a stand-in that fails the SubRip extraction and runs the
 * real FFmpeg for everything else) still lists the text stream, answers its segments 502 with FFmpeg's
 * stderr, does not remember the failure, and gives its process slots back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTracksMedia, tools } from '../helpers/media.js';
import { ffmpegWrapper } from '../helpers/processes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('HLS subtitles when FFmpeg cannot extract them', () => {
  let failing: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'streamtide-hls-subs-fail-'));

  before(async () => {
    const real = await tools();
    // Only the SubRip extraction fails; the probe (ffprobe) and everything else run the real FFmpeg.
    const wrapper = ffmpegWrapper(
      join(dir, 'ffmpeg'),
      real.ffmpeg,
      (ffmpeg) =>
        `case "$*" in *"-f srt pipe:1"*) echo run >> '${join(dir, 'runs')}'; echo "no subtitles today" >&2; exit 1;; esac\nexec ${ffmpeg} "$@"`,
    );
    failing = await startTestServer({ tools: { ...real, ffmpeg: wrapper } });
  });
  after(async () => {
    await failing?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 502 with FFmpeg’s stderr, and tries again on the next request', async () => {
    const entry = await failing.catalog.addLocalFile(await makeTracksMedia());
    const base = `${failing.url}/hls/${entry.infoHash}/0`;
    const listed = await (await fetch(`${base}/master.m3u8`)).text();
    assert.match(listed, /URI="subtitles-s3\/index\.m3u8"/);
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await fetch(`${base}/subtitles-s3/0.vtt`);
      assert.equal(response.status, 502);
      const body = (await response.json()) as { error: string; stderr: string[] };
      assert.match(body.error, /no subtitles today/);
      assert.deepEqual(body.stderr, ['no subtitles today']);
    }
    assert.equal(readFileSync(join(dir, 'runs'), 'utf8'), 'run\nrun\n', 'a failure is not kept');
    assert.equal(failing.app.limits.ffmpegProcesses.inUse, 0, 'the slots are given back');
  });
});
