/**
 * FFmpeg's command line is readable by every local user (`ps`, /proc/PID/cmdline). With a token set, the
 * seekable input URL on it must not serve the file to whoever reads it there (issue 16, item 8).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { makeMedia } from '../helpers/media.js';
import { childProcesses, ffmpegChildrenGone } from '../helpers/processes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** A GET to the loopback port FFmpeg reads from, with `path` as the request target (origin or absolute form). */
function getFrom(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Range: 'bytes=0-99' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the seekable input of a seek, with a token set', () => {
  let server: TestServer;
  let infoHash: string;
  before(async () => {
    server = await startTestServer({ token: 'sesame' });
    const noise = await makeMedia('mkv-h264-noise', { seconds: 20, size: '320x240' });
    infoHash = (await server.catalog.addLocalFile(noise)).infoHash;
  });
  after(() => server.close());

  it('is not readable by anyone who reads FFmpeg’s command line', async () => {
    const abort = new AbortController();
    // Not read: FFmpeg stays blocked on its output while the test looks at it.
    const stream = await fetch(`${server.url}/stream/${infoHash}/0?mode=remux&t=3&token=sesame`, {
      signal: abort.signal,
    });
    try {
      assert.equal(stream.status, 200);
      const [pid] = childProcesses('ffmpeg');
      assert.ok(pid, 'FFmpeg runs');
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      assert.ok(!argv.some((arg) => arg.includes('sesame')), 'no token on the command line');
      const urls = argv.filter((arg) => /^https?:\/\//.test(arg));
      assert.equal(urls.length, 1, `one input URL: ${argv.join(' ')}`);
      const port = server.app.ffmpeg.seekable.port;
      const url = new URL(urls[0]!);
      for (const target of [url.pathname, url.href]) {
        const status = await getFrom(port, target);
        assert.ok(status >= 400, `GET ${target} on the input's port answered ${status}`);
      }
      if (url.hostname === '127.0.0.1') {
        // The URL itself: a closed port, or anything but the file.
        const status = await getFrom(Number(url.port), url.pathname).catch(() => 'refused');
        assert.ok(status === 'refused' || Number(status) >= 400, `the URL itself answered ${status}`);
      }
    } finally {
      abort.abort();
      await stream.body?.cancel().catch(() => {});
    }
    assert.deepEqual(await ffmpegChildrenGone(), [], 'FFmpeg ended with the stream');
  });
});
