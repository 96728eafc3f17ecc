/**
 * Names with terminal escapes and bidi overrides (issue 16, item 9) do not reach the M3U's titles, which
 * players show (mpv prints them in its terminal); the API keeps the real names, which are data.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extinfs } from '../helpers/m3u8.js';
import { makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Retitles the terminal (OSC 0 … BEL), turns it red (CSI 31 m), and reads as `.mkv` (U+202E). */
const hostileName = 'Film\u001b]0;PWNED\u0007\u001b[31mRED\u2066x\u2069\u202ekvm.exe.mkv';
// biome-ignore lint/suspicious/noControlCharactersInRegex: what must not be there.
const unsafe = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('hostile names', () => {
  let server: TestServer;
  let work: string;
  let infoHash: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'streamtide-names-'));
    const path = join(work, hostileName);
    copyFileSync(await makeMedia('mkv-h264-aac'), path);
    server = await startTestServer();
    infoHash = (await server.catalog.addLocalFile(path)).infoHash;
  });
  after(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('reach the M3U titles without control or bidi characters', async () => {
    const response = await fetch(`${server.url}/playlist/${infoHash}.m3u`);
    assert.equal(response.status, 200);
    const playlist = await response.text();
    const titles = extinfs(playlist);
    assert.equal(titles.length, 1, playlist);
    assert.doesNotMatch(playlist.replaceAll('\n', ''), unsafe);
    assert.match(titles[0]!, /Film\]0;PWNED\[31mREDxkvm\.exe\.mkv/);
  });

  it('stay as they are in the API', async () => {
    const torrent = (await (await fetch(`${server.url}/api/torrents/${infoHash}`)).json()) as {
      files: Array<{ name: string }>;
    };
    assert.equal(torrent.files[0]!.name, hostileName);
  });
});
