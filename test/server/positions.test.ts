/**
 * GET/PUT /api/torrents/:infoHash/files/:index/position on a real server with a real media file: the round
 * trip, the torrent object's `files[].position`, every malformed body answering 400 with what is wrong, the
 * probed duration bounding it, unknown torrents and files answering 404, and the token guarding both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const token = 'positions-token';
const auth = { Authorization: `Bearer ${token}` };
let server: TestServer;
let id: string;

before(async () => {
  server = await startTestServer({ token });
  id = (await server.catalog.addLocalFile(await makeMedia('mp4'))).infoHash;
});
after(async () => {
  await server?.close();
});

const url = (infoHash = id, index = 0) => `${server.url}/api/torrents/${infoHash}/files/${index}/position`;

function put(body: string, target = url(), contentType = 'application/json') {
  return fetch(target, { method: 'PUT', headers: { ...auth, 'Content-Type': contentType }, body });
}

async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error;
}

describe('play positions', () => {
  it('answers { seconds: 0 } for a file never played, then keeps what a player puts', async () => {
    const fresh = await fetch(url(), { headers: auth });
    assert.equal(fresh.status, 200);
    assert.deepEqual(await fresh.json(), { seconds: 0 });

    const saved = await put(JSON.stringify({ seconds: 3.25 }));
    assert.equal(saved.status, 200);
    const answer = (await saved.json()) as { seconds: number; updatedAt: string };
    assert.equal(answer.seconds, 3.25);
    assert.ok(Math.abs(Date.parse(answer.updatedAt) - Date.now()) < 60_000, answer.updatedAt);

    const again = await fetch(url(), { headers: auth });
    assert.deepEqual(await again.json(), answer);
    // The torrent object shows it on its file, for lists that show what was watched.
    const list = (await (await fetch(`${server.url}/api/torrents`, { headers: auth })).json()) as Array<{
      infoHash: string;
      files: Array<{ position?: unknown }>;
    }>;
    assert.deepEqual(list.find((entry) => entry.infoHash === id)?.files[0]?.position, answer);
  });

  it('refuses what is not a finite, non-negative number of seconds, saying why', async () => {
    const cases: Array<[string, RegExp, string?]> = [
      ['{"seconds": -1}', /seconds must be >= 0/],
      ['{"seconds": 86401}', /seconds must be <= 86400/],
      ['{"seconds": 1e400}', /seconds must be a finite number/],
      ['{"seconds": "12"}', /seconds must be a finite number/],
      ['{"seconds": null}', /seconds must be a finite number/],
      ['{"seconds": true}', /seconds must be a finite number/],
      ['{}', /seconds must be a finite number/],
      ['[12]', /seconds must be a finite number/],
      ['{"seconds": 12', /JSON/i],
      ['seconds=12', /seconds must be a finite number/, 'text/plain'],
    ];
    for (const [body, message, type] of cases) {
      const response = await put(body, url(), type);
      assert.equal(response.status, 400, body);
      assert.match(await errorOf(response), message, body);
    }
    // None of them touched the saved position.
    assert.equal(
      ((await (await fetch(url(), { headers: auth })).json()) as { seconds: number }).seconds,
      3.25,
    );
  });

  it('holds the position to the duration once a probe found it, and keeps the duration with it', async () => {
    const probe = await fetch(`${server.url}/api/torrents/${id}/files/0/probe`, { headers: auth });
    const { duration } = (await probe.json()) as { duration: number };
    assert.ok(duration > 1, `probed duration ${duration}`);

    const past = await put(JSON.stringify({ seconds: duration + 5 }));
    assert.equal(past.status, 400);
    assert.match(await errorOf(past), /past the end of the file/);
    // A player's clock a frame past the end: the end.
    const atEnd = await put(JSON.stringify({ seconds: duration + 0.04 }));
    assert.equal(atEnd.status, 200);
    assert.deepEqual(
      { ...((await atEnd.json()) as object), updatedAt: undefined },
      { seconds: duration, duration, updatedAt: undefined },
    );
    const inside = await put(JSON.stringify({ seconds: 1.5 }));
    assert.equal(((await inside.json()) as { duration: number }).duration, duration);
  });

  it('answers 404 for an unknown torrent or file, a malformed one included', async () => {
    const unknown = 'ab'.repeat(20);
    for (const response of [
      await fetch(url(unknown), { headers: auth }),
      await put('{"seconds": 1}', url(unknown)),
    ]) {
      assert.equal(response.status, 404);
      assert.match(await errorOf(response), /Unknown torrent/);
    }
    for (const response of [
      await fetch(url(id, 1), { headers: auth }),
      await put('{"seconds": 1}', url(id, 1)),
    ]) {
      assert.equal(response.status, 404);
      assert.match(await errorOf(response), /has no file 1/);
    }
    assert.equal((await fetch(url('xyz'), { headers: auth })).status, 404);
    assert.equal((await fetch(url(id, -1), { headers: auth })).status, 404);
  });

  it('needs the token to read or write', async () => {
    assert.equal((await fetch(url())).status, 401);
    const response = await fetch(url(), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: '{"seconds": 2}',
    });
    assert.equal(response.status, 401);
    assert.equal(
      ((await (await fetch(url(), { headers: auth })).json()) as { seconds: number }).seconds,
      1.5,
    );
  });
});
