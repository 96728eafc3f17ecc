/**
 * The seekable input FFmpeg reads over loopback: Range support, reads that wait for data, and a URL that is
 * not enough to read the file (issue 16, item 8) — FFmpeg proves itself with the password in its environment.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { type SeekableAddress, SeekableInputServer } from '../../src/stream/seekable-input.js';
import { ControllableSource, patternBytes } from '../helpers/controllable-source.js';

let server: SeekableInputServer;
before(async () => {
  server = await SeekableInputServer.start();
});
after(() => server.close());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Promise<Buffer>;
}

/** A GET as FFmpeg sends it: the whole URL, to its proxy (`http_proxy`), with or without the password. */
function get(
  address: SeekableAddress,
  headers: Record<string, string> = {},
  credentials = true,
  path = address.url,
): Promise<Answer> {
  const proxy = new URL(address.env.http_proxy!);
  const authorization = `Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: proxy.hostname,
        port: proxy.port,
        path,
        headers: { ...headers, ...(credentials ? { 'Proxy-Authorization': authorization } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        const body = new Promise<Buffer>((done, fail) => {
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(Buffer.concat(chunks)));
          res.on('error', fail);
          res.on('aborted', () => fail(new Error('aborted')));
        });
        body.catch(() => {});
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('serves a registered source with Range support through its loopback proxy address', async () => {
  const data = patternBytes(100_000);
  const source = new ControllableSource(data, { available: true });
  const address = server.register(source);
  assert.match(address.url, /^http:\/\/127\.0\.0\.1:9\/[0-9a-f]{32}$/);
  assert.match(address.env.http_proxy!, /^http:\/\/streamtide:[\w-]+@127\.0\.0\.1:\d+$/);
  const whole = await get(address);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers['accept-ranges'], 'bytes');
  assert.ok((await whole.body).equals(data));
  const part = await get(address, { Range: 'bytes=1000-1999' });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], 'bytes 1000-1999/100000');
  assert.ok((await part.body).equals(data.subarray(1000, 2000)));
  const open = await get(address, { Range: 'bytes=99000-' });
  assert.ok((await open.body).equals(data.subarray(99_000)));
  assert.equal((await get(address, { Range: 'bytes=100000-' })).status, 416);
  assert.equal((await get(address, {}, true, `${address.url.slice(0, -4)}0000`)).status, 404);
});

test('the URL alone reads nothing: no password, or another registration’s, answers 407', async () => {
  const data = patternBytes(10_000);
  const address = server.register(new ControllableSource(data, { available: true }));
  const other = server.register(new ControllableSource(data, { available: true }));
  const path = new URL(address.url).pathname;
  for (const answer of [
    await get(address, {}, false),
    await get(address, {}, false, path),
    await get({ ...address, env: other.env }, {}, true),
  ]) {
    assert.equal(answer.status, 407);
    assert.match(String(answer.headers['proxy-authenticate']), /^Basic /);
    assert.equal((await answer.body).length, 0);
  }
});

test('a range of missing data waits for it; unregistering cuts the response and the read', async () => {
  const data = patternBytes(50_000);
  const source = new ControllableSource(data);
  const registration = new AbortController();
  const address = server.register(source, registration.signal);
  const response = await get(address, { Range: 'bytes=10000-19999' });
  assert.equal(response.status, 206);
  await source.whenWaiting();
  source.release(0, 20_000);
  assert.ok((await response.body).equals(data.subarray(10_000, 20_000)));

  const stuck = await get(address, { Range: 'bytes=30000-' });
  await source.whenWaiting();
  registration.abort();
  await assert.rejects(stuck.body);
  assert.equal(source.waiting, 0, 'the pending read was aborted');
  assert.equal((await get(address)).status, 404);
});
