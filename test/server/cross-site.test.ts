/**
 * Fetch metadata (issue 16, item 11): a request a browser marks `Sec-Fetch-Site: cross-site` — another web
 * page's fetch, <video>, <img>, <iframe> or link — is refused with 403 on the API and stream routes, so no
 * page can start transcodes or probes or learn what the library holds. A top-level navigation to the web UI's
 * pages is the exception (a bookmark, a link from a chat); players that send no fetch metadata (mpv, VLC,
 * curl) keep working.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** fetch() may drop Sec-Fetch-* headers a browser would set; node:http sends them as given. */
function get(
  url: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      // A stream answered 200 would go on: its status is all this needs.
      if ((res.statusCode ?? 0) < 300) res.destroy();
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const crossSite = { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'video' };
const crossSiteFetch = {
  'Sec-Fetch-Site': 'cross-site',
  'Sec-Fetch-Mode': 'cors',
  'Sec-Fetch-Dest': 'empty',
};
const navigation = (site: string, dest = 'document') => ({
  'Sec-Fetch-Site': site,
  'Sec-Fetch-Mode': 'navigate',
  'Sec-Fetch-Dest': dest,
});

describe('cross-site requests', () => {
  let server: TestServer;
  let paths: string[];
  let infoHash: string;
  before(async () => {
    server = await startTestServer();
    infoHash = (await server.catalog.addLocalFile(await makeMedia('mkv-h264-aac'))).infoHash;
    paths = [
      '/api/health',
      '/api/torrents',
      `/api/torrents/${infoHash}`,
      `/api/torrents/${infoHash}/files/0/probe`,
      `/stream/${infoHash}/0`,
      `/stream/${infoHash}/0?mode=transcode`,
      `/hls/${infoHash}/0/master.m3u8`,
      `/subtitles/${infoHash}/0.vtt?stream=0`,
      `/cover/${infoHash}/0`,
      `/playlist/${infoHash}.m3u`,
      '/api/openapi.json',
    ];
  });
  after(() => server.close());

  it('are refused with 403 on every API and stream route', async () => {
    for (const headers of [crossSite, crossSiteFetch]) {
      for (const path of paths) {
        const { status, body } = await get(`${server.url}${path}`, headers);
        assert.equal(status, 403, `${path} ${headers['Sec-Fetch-Dest']}`);
        assert.match(body, /cross-site/i, path);
      }
    }
    const post = await get(`${server.url}/api/torrents`, crossSiteFetch, 'POST');
    assert.equal(post.status, 403);
  });

  it('are refused as navigations to anything but the pages, and inside frames', async () => {
    for (const path of [`/stream/${infoHash}/0`, `/playlist/${infoHash}.m3u`, '/api/torrents']) {
      assert.equal((await get(`${server.url}${path}`, navigation('cross-site'))).status, 403, path);
    }
    const framed = await get(`${server.url}/play/${infoHash}/0`, navigation('cross-site', 'iframe'));
    assert.equal(framed.status, 403);
  });

  it('let a top-level navigation open the web UI', async () => {
    for (const path of ['/', `/play/${infoHash}/0`]) {
      assert.equal((await get(`${server.url}${path}`, navigation('cross-site'))).status, 200, path);
    }
  });

  it('leave same-origin requests, typed URLs and clients without fetch metadata alone', async () => {
    for (const headers of [
      { 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'cors', 'Sec-Fetch-Dest': 'empty' },
      { 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'video' },
      navigation('none'),
      { 'User-Agent': 'mpv 0.38.0' },
      { 'User-Agent': 'VLC/3.0.20 LibVLC/3.0.20' },
    ]) {
      for (const path of [`/api/torrents/${infoHash}`, `/stream/${infoHash}/0?mode=direct`]) {
        const { status } = await get(`${server.url}${path}`, { ...headers, Range: 'bytes=0-99' });
        assert.ok(status === 200 || status === 206, `${path} ${JSON.stringify(headers)}: ${status}`);
      }
    }
  });
});
