/**
 * Host headers are parsed strictly (issue 16, item 10): `name[:port]` and nothing else. A Host that only
 * looks like a loopback name (`127.0.0.1:80@evil.com`, `[::1]evil.com`) is refused, on loopback and off it,
 * and what the server writes into `streamUrl` and the M3U is never an unvalidated Host.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** fetch() cannot set Host; node:http can. */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Host: host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const forged = [
  '127.0.0.1:80@evil.com',
  '[::1]evil.com',
  'localhost:80@evil.com',
  '127.0.0.1:80/evil',
  'a b',
];

for (const [where, options] of [
  ['bound to loopback', {}],
  // The server believes it listens on every address (it listens on 127.0.0.1 for the test).
  ['bound off loopback', { host: '0.0.0.0', token: 'k' }],
] as const) {
  describe(`Host header, ${where}`, () => {
    let server: TestServer;
    let infoHash: string;
    const auth = 'token' in options ? '?token=k' : '';
    before(async () => {
      server = await startTestServer(options);
      infoHash = (await server.catalog.addLocalFile(await makeMedia('mp4'))).infoHash;
    });
    after(() => server.close());

    for (const host of forged) {
      it(`refuses Host: ${host}, and echoes none of it`, async () => {
        for (const path of ['/api/torrents', `/playlist/${infoHash}.m3u`]) {
          const { status, body } = await getWithHost(`${server.url}${path}${auth}`, host);
          assert.ok(status === 400 || status === 403, `${path}: ${status}`);
          assert.doesNotMatch(body, /evil/, path);
        }
      });
    }

    it('still answers a well-formed Host, and builds its URLs from it', async () => {
      const port = new URL(server.url).port;
      const { status, body } = await getWithHost(`${server.url}/api/torrents${auth}`, `127.0.0.1:${port}`);
      assert.equal(status, 200);
      const [torrent] = JSON.parse(body) as Array<{ files: Array<{ streamUrl: string }> }>;
      assert.equal(new URL(torrent!.files[0]!.streamUrl).host, `127.0.0.1:${port}`);
    });
  });
}

describe('Host header off loopback', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ host: '0.0.0.0', token: 'k' });
  });
  after(() => server.close());

  it('accepts any well-formed LAN name (a token guards the server there)', async () => {
    assert.equal((await getWithHost(`${server.url}/api/torrents?token=k`, 'media.lan:8977')).status, 200);
    assert.equal((await getWithHost(`${server.url}/api/torrents?token=k`, '[fd00::2]:8977')).status, 200);
  });
});
