/**
 * The UI's assets under /assets/: served from the built dist/web/assets through @fastify/send, which loads
 * with the first asset asked for (a server nobody opens in a browser never loads it). Conditional GETs,
 * ranges and HEAD work; nothing outside the folder, no folder and no missing file is served.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

const require = createRequire(import.meta.url);
const sendLoaded = () => require.resolve('@fastify/send') in require.cache;

const script = 'console.log("streamtide");\n'.repeat(100);
let server: TestServer;

before(async () => {
  const webRoot = mkdtempSync(join(tmpdir(), 'streamtide-web-'));
  mkdirSync(join(webRoot, 'assets', 'folder'), { recursive: true });
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(webRoot, 'assets', 'app.js'), script);
  writeFileSync(join(webRoot, 'assets', '.hidden.js'), 'a hidden file');
  writeFileSync(join(webRoot, 'secret.txt'), 'outside the assets');
  server = await startTestServer({ webRoot });
});
after(async () => {
  await server.close();
});

it('loads @fastify/send at the first asset, and serves it', async () => {
  assert.equal(sendLoaded(), false, '@fastify/send loaded before any asset was asked for');
  const response = await fetch(`${server.url}/assets/app.js`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /javascript/);
  assert.equal(await response.text(), script);
  assert.equal(sendLoaded(), true);
});

it('answers a conditional GET with 304, a range with 206, HEAD with the headers alone', async () => {
  const first = await fetch(`${server.url}/assets/app.js`);
  await first.arrayBuffer();
  const etag = first.headers.get('etag');
  assert.ok(etag);
  // fetch would add `Cache-Control: no-cache` to a conditional request, which makes any server answer in full.
  assert.equal(await statusOf(`${server.url}/assets/app.js`, { 'If-None-Match': etag }), 304);
  const part = await fetch(`${server.url}/assets/app.js`, { headers: { Range: 'bytes=0-6' } });
  assert.equal(part.status, 206);
  assert.equal(await part.text(), 'console');
  const head = await fetch(`${server.url}/assets/app.js`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(script)));
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});

it('serves nothing outside the folder, no folder, no dotfile, no missing file', async () => {
  for (const path of [
    '/assets/%2e%2e/secret.txt',
    '/assets/..%2fsecret.txt',
    '/assets/folder',
    '/assets/',
    '/assets/.hidden.js',
    '/assets/missing.js',
  ]) {
    const response = await fetch(`${server.url}${path}`);
    const body = await response.text();
    assert.ok(response.status === 404 || response.status === 403, `${path}: ${response.status}`);
    assert.doesNotMatch(body, /outside the assets|a hidden file/, path);
  }
});

function statusOf(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}
