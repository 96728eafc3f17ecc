/**
 * The web UI in a real browser (headless Chromium) with a token set, on a file whose name carries terminal
 * escapes and a right-to-left override: the pages show the name without them (issue 16, item 9), the
 * session cookie is not the token, and the share box hands out links that play the file but carry no token
 * (item 8).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserSession, ensureWebBuilt, launchBrowser, webRoot } from '../helpers/browser.js';
import { makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const token = 'ui-master-token-8d41';
/** Retitles a terminal (OSC 0 … BEL), recolours it (CSI 31 m), and reads as `.mkv` (U+202E, U+2066). */
const hostileName = 'Film\u001b]0;PWNED\u0007\u001b[31mRED\u2066x\u2069\u202ekvm.exe.mkv';
const shownName = 'Film]0;PWNED[31mREDxkvm.exe.mkv';
// biome-ignore lint/suspicious/noControlCharactersInRegex: what must not be shown.
const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const generous = { timeout: 30_000 };

/** Everything of the page a person (or a screen reader, or the tab bar) is shown. */
function shownText(): string {
  const labels = [...document.querySelectorAll('[aria-label], [title]')].flatMap((element) => [
    element.getAttribute('aria-label') ?? '',
    element.getAttribute('title') ?? '',
  ]);
  return [document.title, document.body.textContent ?? '', ...labels].join('\n');
}

describe('the web UI with a token, on a hostile name', () => {
  let server: TestServer;
  let browser: BrowserSession;
  let work: string;
  let infoHash: string;
  before(async () => {
    ensureWebBuilt();
    work = mkdtempSync(join(tmpdir(), 'streamtide-ui-exposure-'));
    const path = join(work, hostileName);
    copyFileSync(await makeMedia('mkv-h264-aac'), path);
    server = await startTestServer({ webRoot, token });
    infoHash = (await server.catalog.addLocalFile(path)).infoHash;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('shows the name without control or bidi characters, on the list and on the player', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/?token=${token}`);
    await page.getByText(shownName).first().waitFor(generous);
    const home = await page.evaluate(shownText);
    assert.doesNotMatch(home, unsafe);
    await page.goto(`${server.url}/play/${infoHash}/0?token=${token}`);
    await page.waitForFunction((name) => document.title.startsWith(name), shownName, generous);
    assert.doesNotMatch(await page.evaluate(shownText), unsafe);
  });

  it('keeps a session cookie that is not the token', async () => {
    const cookies = await browser.context.cookies(server.url);
    const session = cookies.find((cookie) => cookie.name === 'streamtide_session');
    assert.ok(session, JSON.stringify(cookies));
    assert.ok(!session.value.includes(token));
    assert.ok(!cookies.some((cookie) => cookie.value.includes(token)));
  });

  it('shares links that play the file and carry no token', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/play/${infoHash}/0?token=${token}`);
    const input = page.locator('#stream-url');
    await page.waitForFunction(
      () => (document.querySelector('#stream-url') as HTMLInputElement)?.value,
      null,
      {
        ...generous,
        polling: 100,
      },
    );
    const streamUrl = await input.inputValue();
    const playlistUrl = await page.getByText('Playlist of this torrent (.m3u)').getAttribute('href');
    for (const url of [streamUrl, playlistUrl ?? '']) {
      assert.ok(!url.includes(token), url);
      assert.match(url, /cap=/);
    }
    // Another device, without the browser's cookie or the token: the link alone plays the file.
    const response = await fetch(streamUrl, { headers: { Range: 'bytes=0-99' } });
    assert.equal(response.status, 206);
    assert.equal((await response.arrayBuffer()).byteLength, 100);
    const playlist = await fetch(new URL(playlistUrl!, server.url));
    assert.equal(playlist.status, 200);
    assert.ok(!(await playlist.text()).includes(token));
  });
});
