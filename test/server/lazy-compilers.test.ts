/**
 * The schema compilers (Ajv, fast-json-stringify) load at the first request that needs them, not with the
 * server: a started server that nobody asked anything has not loaded them, and the first request still
 * gets its body validated and its answer serialized.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

const require = createRequire(import.meta.url);
const loaded = (pkg: string) => require.resolve(pkg) in require.cache;

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

it('loads Ajv and fast-json-stringify only at the first request, which they then serve', async () => {
  assert.equal(loaded('ajv'), false, 'Ajv loaded before any request');
  assert.equal(loaded('fast-json-stringify'), false, 'fast-json-stringify loaded before any request');

  const bad = await fetch(`${server.url}/api/torrents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nothing: 1 }),
  });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /source/);
  assert.equal(loaded('ajv'), true);

  const list = await fetch(`${server.url}/api/torrents`);
  assert.equal(list.status, 200);
  assert.deepEqual(await list.json(), []);
  assert.equal(loaded('fast-json-stringify'), true);
});
