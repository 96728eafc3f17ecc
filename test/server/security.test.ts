/** The security defaults (docs/api.md): token on every route but health, Host checks, loopback by default. */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** fetch() cannot set Host; node:http can. */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('with a token', () => {
  let server: TestServer;
  let streamPath: string;
  before(async () => {
    server = await startTestServer({ token: 's3cret' });
    const entry = await server.catalog.addLocalFile(await makeMedia('mp4'));
    streamPath = `/stream/${entry.infoHash}/0`;
  });
  after(() => server.close());

  it('leaves /api/health open', async () => {
    const response = await fetch(`${server.url}/api/health`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { ok: boolean; version: string; ffmpeg: string };
    assert.equal(body.ok, true);
    assert.match(body.ffmpeg, /ffmpeg version/);
  });

  it('answers 401 without or with a wrong token on every other route', async () => {
    for (const path of ['/api/torrents', streamPath, '/', `/playlist/${'a'.repeat(40)}.m3u`]) {
      const none = await fetch(`${server.url}${path}`);
      assert.equal(none.status, 401, path);
      assert.match(((await none.json()) as { error: string }).error, /token/);
      const wrong = await fetch(`${server.url}${path}`, { headers: { Authorization: 'Bearer nope' } });
      assert.equal(wrong.status, 401, path);
      await wrong.arrayBuffer();
    }
  });

  it('accepts the token as a Bearer header or a query parameter', async () => {
    // The scheme name in any case (RFC 9110), as HTTP libraries may send it.
    for (const authorization of ['Bearer s3cret', 'bearer s3cret', 'BEARER s3cret']) {
      const bearer = await fetch(`${server.url}/api/torrents`, { headers: { Authorization: authorization } });
      assert.equal(bearer.status, 200, authorization);
      await bearer.arrayBuffer();
    }
    const wrong = await fetch(`${server.url}/api/torrents`, { headers: { Authorization: 'Bearer s3cre' } });
    assert.equal(wrong.status, 401);
    await wrong.arrayBuffer();
    const query = await fetch(`${server.url}${streamPath}?token=s3cret`, { headers: { Range: 'bytes=0-9' } });
    assert.equal(query.status, 206);
    assert.equal((await query.arrayBuffer()).byteLength, 10);
  });

  it('sets a same-site cookie on the page so its assets and media load', async () => {
    const page = await fetch(`${server.url}/?token=s3cret`);
    assert.equal(page.status, 200);
    const cookie = page.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const withCookie = await fetch(`${server.url}/api/torrents`, {
      headers: { Cookie: cookie.split(';')[0] },
    });
    assert.equal(withCookie.status, 200);
    await withCookie.arrayBuffer();
  });

  it('answers 401, not 500, to a malformed session cookie, and still takes a valid token beside it', async () => {
    for (const cookie of ['streamtide_session=%E0%A4%A', 'streamtide_session=%', 'streamtide_session=%ZZ']) {
      const response = await fetch(`${server.url}/api/torrents`, { headers: { Cookie: cookie } });
      assert.equal(response.status, 401, cookie);
      assert.match(((await response.json()) as { error: string }).error, /token/);
      const withBearer = await fetch(`${server.url}/api/torrents`, {
        headers: { Cookie: cookie, Authorization: 'Bearer s3cret' },
      });
      assert.equal(withBearer.status, 200, cookie);
      await withBearer.arrayBuffer();
    }
  });
});

describe('Host header (DNS rebinding)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('accepts loopback names and refuses others', async () => {
    const port = new URL(server.url).port;
    assert.equal(await getWithHost(`${server.url}/api/torrents`, `127.0.0.1:${port}`), 200);
    assert.equal(await getWithHost(`${server.url}/api/torrents`, `localhost:${port}`), 200);
    assert.equal(await getWithHost(`${server.url}/api/torrents`, `evil.example:${port}`), 403);
    assert.equal(await getWithHost(`${server.url}/api/torrents`, 'attacker.test'), 403);
  });
});

describe('request bodies', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('caps JSON bodies', async () => {
    const response = await fetch(`${server.url}/api/torrents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ source: 'x'.repeat(200_000) }),
    });
    assert.equal(response.status, 413);
    assert.equal(typeof ((await response.json()) as { error: string }).error, 'string');
  });
});

describe('configured Host names', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ allowedHosts: ['media.lan'] });
  });
  after(() => server.close());

  it('accepts a name given with --allow-host and still refuses others', async () => {
    const port = new URL(server.url).port;
    assert.equal(await getWithHost(`${server.url}/api/torrents`, `media.lan:${port}`), 200);
    assert.equal(await getWithHost(`${server.url}/api/torrents`, `other.lan:${port}`), 403);
  });
});
