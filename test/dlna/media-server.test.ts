/**
 * The DLNA MediaServer's HTTP side on a real server with a real torrent (from a loopback seeder): the
 * description, Browse (folders, items, paging, faults), ConnectionManager, and res URLs that play with Range
 * and DLNA headers — without the token, each only for its own file. No SSDP here (ssdp-netns.test.ts).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { displayName } from '../../src/catalog/display-name.js';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';
import { browseCall, CD, CM, callAction, type DidlEntry, parseDidl } from './dlna-client.js';

const token = 'dlna-test-token';
/** Markup, entities and a terminal escape: what a torrent may call itself. */
const hostileName = 'Show <b>&amp;</b> "x" \u001b[31m\u202eRED';
// biome-ignore lint/suspicious/noControlCharactersInRegex: what must not be there.
const unsafe = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e]/;

describe('DLNA MediaServer over HTTP', () => {
  let work: string;
  let seeder: Seeder;
  let engine: TorrentEngine;
  let server: TestServer;
  let infoHash: string;
  let control: string;
  const files: Record<string, string> = {};

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'streamtide-dlna-'));
    files.video = join(work, 'Episode 1.mkv');
    files.audio = join(work, 'Theme.flac');
    files.subs = join(work, 'Episode 1.srt');
    files.notes = join(work, 'notes.nfo');
    copyFileSync(await makeMedia('mkv-h264-aac'), files.video);
    copyFileSync(await makeMedia('flac'), files.audio);
    writeFileSync(files.subs, '1\n00:00:00,500 --> 00:00:02,000\nHello\n');
    writeFileSync(files.notes, 'not media');
    seeder = await startSeeder(Object.values(files), { name: hostileName });
    engine = await startTestEngine(join(work, 'dl'), { allowLan: true });
    server = await startTestServer({
      torrents: engine,
      token,
      dlna: { udn: 'uuid:00000000-0000-5000-8000-000000000001', friendlyName: 'test <server>', version: '1' },
    });
    const added = await fetch(`${server.url}/api/torrents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ source: seeder.magnet }),
    });
    const text = await added.text();
    assert.ok(added.ok, text);
    infoHash = (JSON.parse(text) as { infoHash: string }).infoHash;
    await engine.waitForMetadata(infoHash);
    control = `${server.url}/dlna/control/content-directory`;
  });
  after(async () => {
    await server?.close();
    await engine?.destroy();
    await seeder?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function browse(objectId: string, flag?: string, start?: number, count?: number) {
    const answer = await callAction(control, browseCall(objectId, flag, start, count));
    assert.equal(answer.status, 200, answer.text);
    assert.doesNotMatch(answer.out.Result ?? '', unsafe);
    const { NumberReturned, TotalMatches, UpdateID } = answer.out;
    return { NumberReturned, TotalMatches, UpdateID, objects: parseDidl(answer.out.Result ?? '') };
  }

  async function items(): Promise<DidlEntry[]> {
    return (await browse(infoHash)).objects;
  }

  it('describes a MediaServer without the token, while the API still needs it', async () => {
    const response = await fetch(`${server.url}/dlna/description.xml`);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /<deviceType>urn:schemas-upnp-org:device:MediaServer:1<\/deviceType>/);
    assert.match(text, /<friendlyName>test &lt;server&gt;<\/friendlyName>/);
    assert.match(text, /<controlURL>\/dlna\/control\/content-directory<\/controlURL>/);
    assert.equal((await fetch(`${server.url}/dlna/content-directory.xml`)).status, 200);
    assert.equal((await fetch(`${server.url}/api/torrents`)).status, 401);
  });

  it('lists a folder per torrent at the root, its name escaped and stripped of control characters', async () => {
    const root = await browse('0');
    assert.equal(root.TotalMatches, '1');
    assert.equal(root.NumberReturned, '1');
    assert.ok(Number(root.UpdateID) >= 1);
    const [folder] = root.objects;
    assert.equal(folder?.kind, 'container');
    assert.equal(folder?.id, infoHash);
    assert.equal(folder?.title, displayName(hostileName));
    assert.equal(folder?.childCount, '3');
    const meta = await browse('0', 'BrowseMetadata');
    assert.equal(meta.objects[0]?.id, '0');
    assert.equal(meta.objects[0]?.childCount, '1');
  });

  it('lists the video, audio and subtitle files with sizes, protocolInfo and capability URLs', async () => {
    const list = await items();
    assert.deepEqual(
      list.map((o) => [o.title, o.upnpClass]),
      [
        ['Episode 1.mkv', 'object.item.videoItem'],
        ['Theme.flac', 'object.item.audioItem.musicTrack'],
        ['Episode 1.srt', 'object.item.textItem'],
      ],
    );
    const video = list.find((o) => o.title === 'Episode 1.mkv')!;
    assert.equal(video.res.length, 2);
    const [original, transcoded] = video.res;
    assert.equal(original?.size, String(readFileSync(files.video!).length));
    assert.match(
      original!.protocolInfo,
      /^http-get:\*:video\/x-matroska:.*DLNA\.ORG_OP=01;.*DLNA\.ORG_FLAGS=01700000/,
    );
    assert.match(transcoded!.protocolInfo, /^http-get:\*:video\/mp4:DLNA\.ORG_OP=00;DLNA\.ORG_CI=1;/);
    for (const res of [original!, transcoded!]) {
      const url = new URL(res.url);
      assert.equal(url.origin, server.url);
      assert.match(url.searchParams.get('cap') ?? '', /^[\w-]{32}$/);
      assert.equal(url.searchParams.get('token'), null);
    }
    const audio = list.find((o) => o.title === 'Theme.flac')!;
    assert.equal(audio.res.length, 1);
    assert.match(audio.res[0]!.protocolInfo, /^http-get:\*:audio\/flac:DLNA\.ORG_OP=01/);
  });

  it('plays the original bytes with Range and DLNA headers, without the token, for that file only', async () => {
    const video = (await items()).find((o) => o.title === 'Episode 1.mkv')!;
    const url = video.res[0]!.url;
    const response = await fetch(url, {
      headers: { Range: 'bytes=100-1099', 'getcontentFeatures.dlna.org': '1' },
    });
    assert.equal(response.status, 206);
    assert.equal(response.headers.get('transfermode.dlna.org'), 'Streaming');
    assert.match(response.headers.get('contentfeatures.dlna.org') ?? '', /DLNA\.ORG_OP=01/);
    const body = Buffer.from(await response.arrayBuffer());
    assert.deepEqual(body, readFileSync(files.video!).subarray(100, 1100));
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(readFileSync(files.video!).length));
    assert.equal(head.headers.get('transfermode.dlna.org'), 'Streaming');
    // The same capability on another file of the torrent opens nothing.
    const other = new URL(url);
    const index = Number(other.pathname.split('/').pop());
    other.pathname = other.pathname.replace(/\/\d+$/, `/${index === 0 ? 1 : 0}`);
    assert.equal((await fetch(other, { method: 'HEAD' })).status, 401);
  });

  it('pages with StartingIndex and RequestedCount, TotalMatches staying whole', async () => {
    const page = await browse(infoHash, 'BrowseDirectChildren', 1, 1);
    assert.equal(page.NumberReturned, '1');
    assert.equal(page.TotalMatches, '3');
    assert.equal(page.objects[0]?.id, (await items())[1]?.id);
    const past = await browse(infoHash, 'BrowseDirectChildren', 5, 10);
    assert.equal(past.NumberReturned, '0');
    assert.equal(past.TotalMatches, '3');
  });

  it('answers faults: 701 for an unknown object, 402 for bad arguments, 401 for an unknown action', async () => {
    const unknown = await callAction(control, browseCall('f'.repeat(40)));
    assert.equal(unknown.status, 500);
    assert.equal(unknown.errorCode, 701);
    const badIndex = await callAction(control, {
      ...browseCall('0'),
      args: { ...browseCall('0').args, StartingIndex: '-1' },
    });
    assert.equal(badIndex.errorCode, 402);
    const badFlag = await callAction(control, browseCall('0', 'BrowseEverything'));
    assert.equal(badFlag.errorCode, 402);
    const action = await callAction(control, {
      serviceType: CD,
      action: 'DestroyObject',
      args: { ObjectID: '0' },
    });
    assert.equal(action.errorCode, 401);
  });

  it('refuses a body with entity declarations', async () => {
    const body =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>' +
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:Browse xmlns:u="' +
      CD +
      '"><ObjectID>&b;</ObjectID></u:Browse></s:Body></s:Envelope>';
    const response = await fetch(control, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml', SOAPACTION: `"${CD}#Browse"` },
      body,
    });
    assert.equal(response.status, 500);
    assert.match(await response.text(), /<errorCode>401<\/errorCode>/);
  });

  it('answers the other ContentDirectory and ConnectionManager actions', async () => {
    const id = await callAction(control, { serviceType: CD, action: 'GetSystemUpdateID', args: {} });
    assert.match(id.out.Id ?? '', /^\d+$/);
    const sort = await callAction(control, { serviceType: CD, action: 'GetSortCapabilities', args: {} });
    assert.equal(sort.status, 200);
    const cm = `${server.url}/dlna/control/connection-manager`;
    const info = await callAction(cm, { serviceType: CM, action: 'GetProtocolInfo', args: {} });
    assert.match(info.out.Source ?? '', /http-get:\*:video\/mp4:\*/);
    const ids = await callAction(cm, { serviceType: CM, action: 'GetCurrentConnectionIDs', args: {} });
    assert.equal(ids.out.ConnectionIDs, '0');
    const conn = await callAction(cm, {
      serviceType: CM,
      action: 'GetCurrentConnectionInfo',
      args: { ConnectionID: '0' },
    });
    assert.equal(conn.out.Direction, 'Output');
    const wrong = await callAction(cm, {
      serviceType: CM,
      action: 'GetCurrentConnectionInfo',
      args: { ConnectionID: 'x' },
    });
    assert.equal(wrong.errorCode, 402);
  });
});

describe('without --dlna', () => {
  it('has no DLNA routes, and they need the token like any other', async () => {
    const server = await startTestServer({ token });
    try {
      assert.equal((await fetch(`${server.url}/dlna/description.xml`)).status, 401);
      const authed = await fetch(`${server.url}/dlna/description.xml`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(authed.status, 404);
    } finally {
      await server.close();
    }
  });
});
