/**
 * The player on the browser's own HLS, the way it plays in Safari. Chromium plays HLS natively too (it
 * answers canPlayType "maybe"); the page is told it has ManagedMediaSource, which is what makes the player
 * choose native HLS over hls.js. The `<video>` gets the master playlist: a seek is `currentTime`, another
 * audio track reloads the master with `audio=N` and resumes where it was, and a playlist that fails before
 * the first frame gives way to the progressive stream.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type BrowserSession, ensureWebBuilt, launchBrowser, webRoot } from '../helpers/browser.js';
import { makeTracksMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { generous, openPage, pageErrors, playsPast, seekBarTo } from './hls-page.js';

let server: TestServer;
let browser: BrowserSession;
let infoHash: string;

before(async () => {
  ensureWebBuilt();
  server = await startTestServer({ webRoot });
  const path = await makeTracksMedia({ seconds: 30, name: 'tracks-native-30s' });
  infoHash = (await server.catalog.addLocalFile(path)).infoHash;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function safariPage(): Promise<{ page: Page; requests: string[] }> {
  const opened = await openPage(browser, server.url);
  await opened.page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    w.ManagedMediaSource = w.MediaSource;
  });
  return opened;
}

const videoSrc = (page: Page) => page.evaluate(() => new URL(document.querySelector('video')!.src));

describe('the player on native HLS', () => {
  it('plays the master playlist, seeks by currentTime and reloads it for another audio track', async () => {
    const { page, requests } = await safariPage();
    await page.goto(`${server.url}/play/${infoHash}/0`);
    await page.locator('#subtitle-menu').selectOption('s3');
    const first = await playsPast(page, 1);
    assert.equal(first.error, null);
    assert.equal(first.engine, 'native-hls');
    const src = await page.evaluate(() => document.querySelector('video')!.src);
    assert.match(src, new RegExp(`/hls/${infoHash}/0/master\\.m3u8\\?caps=`));
    assert.doesNotMatch(src, /[?&]audio=/);

    await seekBarTo(page, 20);
    const landed = await playsPast(page, 20.5);
    assert.ok(landed.time < 25, `at ${landed.time}`);
    assert.equal(await page.evaluate(() => document.querySelector('video')!.src), src);

    await page.locator('#audio-menu').selectOption('1');
    await page.waitForFunction(
      () => new URL(document.querySelector('video')!.src).searchParams.get('audio') === '1',
      undefined,
      generous,
    );
    // It goes on from where it was, not from the start.
    const resumed = await playsPast(page, landed.time);
    assert.ok(resumed.time < landed.time + 8, `resumed at ${resumed.time} after ${landed.time}`);
    assert.equal((await videoSrc(page)).pathname, `/hls/${infoHash}/0/master.m3u8`);
    assert.ok(requests.some((p) => /\/audio1-[\w-]+\//.test(p)));
    // The subtitles stay on the file's clock.
    assert.doesNotMatch((await page.locator('video track').getAttribute('src')) ?? '', /[?&]t=/);
    assert.ok(!requests.some((p) => p.startsWith('/stream/')));
    await page.close();
  });

  it('falls back to the progressive stream when the playlist fails before the first frame', async () => {
    const { page, requests } = await safariPage();
    await page.route('**/hls/**', (route) => route.fulfill({ status: 404, body: '{"error":"not found"}' }));
    await page.goto(`${server.url}/play/${infoHash}/0`);
    const view = await playsPast(page, 1.5);
    assert.equal(view.error, null);
    assert.equal(view.engine, 'progressive');
    assert.match(view.fallback ?? '', /the browser's HLS failed/);
    assert.equal((await videoSrc(page)).pathname, `/stream/${infoHash}/0`);
    assert.ok(requests.some((p) => p.startsWith('/hls/')));
    assert.equal(await page.locator('[role=alert]').count(), 0);
    await page.close();
    assert.deepEqual(pageErrors, []);
  });
});
