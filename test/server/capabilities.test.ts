/**
 * Token mode without leaks (issue 16, item 8): the browser's cookie is a session, not the token; URLs meant
 * to be passed on (share links, the M3U's entries) carry a capability for one file or one playlist, never the
 * token; capabilities open what they are for and nothing else, survive a restart, and are revoked by
 * rotating the secret (or changing the token).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { uris } from '../helpers/m3u8.js';
import { makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const token = 'the-master-token-3f9a';
const bearer = { Authorization: `Bearer ${token}` };

async function status(url: string, init: RequestInit = {}): Promise<number> {
  const response = await fetch(url, init);
  await response.body?.cancel();
  return response.status;
}

async function share(
  server: TestServer,
  infoHash: string,
): Promise<{ streamUrl: string; playlistUrl: string }> {
  const response = await fetch(`${server.url}/api/torrents/${infoHash}/files/0/share`, {
    method: 'POST',
    headers: bearer,
  });
  assert.equal(response.status, 200);
  return (await response.json()) as { streamUrl: string; playlistUrl: string };
}

describe('with a token', () => {
  let server: TestServer;
  let work: string;
  let film: string;
  let other: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'streamtide-caps-'));
    server = await startTestServer({ token, capabilitiesFile: join(work, 'capabilities.json') });
    film = (await server.catalog.addLocalFile(await makeMedia('mkv-h264-aac'))).infoHash;
    other = (await server.catalog.addLocalFile(await makeMedia('mp4'))).infoHash;
  });
  after(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('sets a session cookie that is not the token and cannot stand in for it', async () => {
    const page = await fetch(`${server.url}/?token=${token}`);
    assert.equal(page.status, 200);
    await page.arrayBuffer();
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    const [name, value = ''] = cookie.split('=');
    assert.equal(name, 'streamtide_session');
    assert.ok(value.length >= 20, cookie);
    assert.ok(
      !value.includes(token) && !decodeURIComponent(value).includes(token),
      'the cookie is not the token',
    );
    assert.equal(await status(`${server.url}/api/torrents`, { headers: { Cookie: cookie } }), 200);
    assert.equal(
      await status(`${server.url}/api/torrents`, { headers: { Authorization: `Bearer ${value}` } }),
      401,
    );
    assert.equal(await status(`${server.url}/api/torrents?token=${value}`), 401);
  });

  it('shares a file with a capability URL that plays it and opens nothing else', async () => {
    const { streamUrl, playlistUrl } = await share(server, film);
    for (const url of [streamUrl, playlistUrl]) {
      assert.ok(!url.includes(token), url);
      assert.match(url, /[?&]cap=[\w-]+/);
    }
    const range = await fetch(streamUrl, { headers: { Range: 'bytes=0-99' } });
    assert.equal(range.status, 206);
    assert.equal((await range.arrayBuffer()).byteLength, 100);
    assert.equal(range.headers.get('set-cookie'), null, 'a shared link opens no session');
    assert.equal(await status(streamUrl, { method: 'HEAD' }), 200);
    const cap = new URL(streamUrl).searchParams.get('cap')!;
    for (const path of [
      `/stream/${film}/1`,
      `/stream/${other}/0`,
      '/api/torrents',
      `/api/torrents/${film}`,
      `/api/torrents/${film}/files/0/probe`,
      `/play/${film}/0`,
      '/',
      `/playlist/${film}.m3u`,
    ]) {
      assert.equal(await status(`${server.url}${path}?cap=${cap}`), 401, path);
    }
    assert.equal(
      await status(`${server.url}/api/torrents/${film}?cap=${cap}`, { method: 'DELETE' }),
      401,
      'no delete',
    );
    assert.equal(await status(`${server.url}/stream/${film}/0?mode=direct&cap=${cap.slice(0, -1)}x`), 401);
  });

  it('lets HLS players follow the capability through the playlists', async () => {
    const { streamUrl } = await share(server, film);
    const cap = new URL(streamUrl).searchParams.get('cap')!;
    const master = await fetch(`${server.url}/hls/${film}/0/master.m3u8?cap=${cap}`);
    assert.equal(master.status, 200);
    const [variant] = uris(await master.text());
    assert.match(variant!, /cap=/);
    const media = await fetch(new URL(variant!, master.url));
    assert.equal(media.status, 200);
    const [segment] = uris(await media.text());
    assert.equal(await status(new URL(segment!, media.url).href), 200);
  });

  it('puts file capabilities, never the token, into the M3U', async () => {
    const response = await fetch(`${server.url}/playlist/${film}.m3u?token=${token}`);
    assert.equal(response.status, 200);
    const playlist = await response.text();
    assert.ok(!playlist.includes(token), playlist);
    const [entry] = uris(playlist);
    assert.match(entry!, /mode=direct&cap=/);
    assert.equal(await status(entry!, { headers: { Range: 'bytes=0-9' } }), 206);
    // The share box's playlist link opens the M3U, and only that.
    const { playlistUrl } = await share(server, film);
    const shared = await fetch(playlistUrl);
    assert.equal(shared.status, 200);
    assert.deepEqual(uris(await shared.text()), [entry]);
  });

  it('lists what was handed out, and rotating revokes links and sessions', async () => {
    const { streamUrl } = await share(server, film);
    const page = await fetch(`${server.url}/?token=${token}`);
    await page.arrayBuffer();
    const oldCookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    const listed = (await (await fetch(`${server.url}/api/capabilities`, { headers: bearer })).json()) as {
      enabled: boolean;
      issued: Array<{ kind: string; infoHash: string; index?: number }>;
    };
    assert.equal(listed.enabled, true);
    assert.ok(listed.issued.some((e) => e.kind === 'file' && e.infoHash === film && e.index === 0));
    assert.ok(listed.issued.some((e) => e.kind === 'playlist' && e.infoHash === film));

    const rotated = await fetch(`${server.url}/api/capabilities/rotate`, { method: 'POST', headers: bearer });
    assert.equal(rotated.status, 200);
    assert.deepEqual(((await rotated.json()) as { issued: unknown[] }).issued, []);
    const newCookie = (rotated.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.equal(await status(streamUrl, { headers: { Range: 'bytes=0-9' } }), 401, 'the old link');
    assert.equal(await status(`${server.url}/api/torrents`, { headers: { Cookie: oldCookie } }), 401);
    assert.equal(await status(`${server.url}/api/torrents`, { headers: { Cookie: newCookie } }), 200);
    assert.equal(await status(`${server.url}/api/torrents`, { headers: bearer }), 200, 'the token stays');
    const fresh = await share(server, film);
    assert.notEqual(fresh.streamUrl, streamUrl);
    assert.equal(await status(fresh.streamUrl, { headers: { Range: 'bytes=0-9' } }), 206);
  });

  it('keeps its secret in a file only its user can read, so links outlive a restart', async () => {
    const { streamUrl } = await share(server, film);
    assert.equal(statSync(join(work, 'capabilities.json')).mode & 0o777, 0o600);
    const path = new URL(streamUrl).pathname + new URL(streamUrl).search;
    const again = await startTestServer({ token, capabilitiesFile: join(work, 'capabilities.json') });
    const changed = await startTestServer({
      token: 'a-new-token',
      capabilitiesFile: join(work, 'capabilities.json'),
    });
    try {
      for (const restarted of [again, changed])
        await restarted.catalog.addLocalFile(await makeMedia('mkv-h264-aac'));
      assert.equal(await status(`${again.url}${path}`, { headers: { Range: 'bytes=0-9' } }), 206);
      assert.equal(
        await status(`${changed.url}${path}`, { headers: { Range: 'bytes=0-9' } }),
        401,
        'new token',
      );
    } finally {
      await again.close();
      await changed.close();
    }
  });
});

describe('without a token', () => {
  let server: TestServer;
  let film: string;
  before(async () => {
    server = await startTestServer();
    film = (await server.catalog.addLocalFile(await makeMedia('mp4'))).infoHash;
  });
  after(() => server.close());

  it('shares plain URLs, and there is nothing to revoke', async () => {
    const { streamUrl, playlistUrl } = await share(server, film);
    assert.equal(streamUrl, `${server.url}/stream/${film}/0?mode=direct`);
    assert.equal(playlistUrl, `${server.url}/playlist/${film}.m3u`);
    const list = (await (await fetch(`${server.url}/api/capabilities`)).json()) as { enabled: boolean };
    assert.equal(list.enabled, false);
    assert.equal(await status(`${server.url}/api/capabilities/rotate`, { method: 'POST' }), 400);
  });
});

describe('nodes sharing a capability secret (a cluster)', () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((server) => server.close())));
  const node = async (capabilitySecret?: string) => {
    const server = await startTestServer({ token, capabilitySecret });
    servers.push(server);
    return server;
  };
  const sessionOf = async (server: TestServer) => {
    const page = await fetch(`${server.url}/?token=${token}`);
    await page.arrayBuffer();
    return (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  };

  it("accept each other's sessions; a node with another secret does not; rotating is refused", async () => {
    const [a, b, stranger] = [await node('shared-secret-1'), await node('shared-secret-1'), await node()];
    const cookie = await sessionOf(a);
    assert.equal(await status(`${b.url}/api/torrents`, { headers: { Cookie: cookie } }), 200);
    assert.equal(await status(`${stranger.url}/api/torrents`, { headers: { Cookie: cookie } }), 401);
    const rotate = await fetch(`${a.url}/api/capabilities/rotate`, { method: 'POST', headers: bearer });
    assert.equal(rotate.status, 409);
    assert.match(((await rotate.json()) as { error: string }).error, /STREAMTIDE_CAPABILITY_SECRET/);
  });
});
