import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SeekableInputServer } from '../../src/stream/seekable-input.js';
import { ControllableSource, patternBytes } from '../helpers/controllable-source.js';

let server: SeekableInputServer;
before(async () => {
  server = await SeekableInputServer.start();
});
after(() => server.close());

test('serves a registered source with Range support on 127.0.0.1', async () => {
  const data = patternBytes(100_000);
  const source = new ControllableSource(data, { available: true });
  const url = server.register(source);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}$/);
  const whole = await fetch(url);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('accept-ranges'), 'bytes');
  assert.ok(Buffer.from(await whole.arrayBuffer()).equals(data));
  const part = await fetch(url, { headers: { Range: 'bytes=1000-1999' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), 'bytes 1000-1999/100000');
  assert.ok(Buffer.from(await part.arrayBuffer()).equals(data.subarray(1000, 2000)));
  const open = await fetch(url, { headers: { Range: 'bytes=99000-' } });
  assert.ok(Buffer.from(await open.arrayBuffer()).equals(data.subarray(99_000)));
  assert.equal((await fetch(url, { headers: { Range: 'bytes=100000-' } })).status, 416);
  assert.equal((await fetch(`${url.slice(0, -4)}0000`)).status, 404);
});

test('a range of missing data waits for it; unregistering cuts the response and the read', async () => {
  const data = patternBytes(50_000);
  const source = new ControllableSource(data);
  const registration = new AbortController();
  const url = server.register(source, registration.signal);
  const response = await fetch(url, { headers: { Range: 'bytes=10000-19999' } });
  assert.equal(response.status, 206);
  const body = Buffer.from(
    await (async () => {
      await source.whenWaiting();
      source.release(0, 20_000);
      return response.arrayBuffer();
    })(),
  );
  assert.ok(body.equals(data.subarray(10_000, 20_000)));

  const stuck = await fetch(url, { headers: { Range: 'bytes=30000-' } });
  await source.whenWaiting();
  registration.abort();
  await assert.rejects(stuck.arrayBuffer());
  assert.equal(source.waiting, 0, 'the pending read was aborted');
  assert.equal((await fetch(url)).status, 404);
});
