/**
 * A browser test's usual setup: the server with the web UI, one local media file in its catalog, and a Chromium
 * page — started before the file's tests, closed after them.
 */
import { after, before } from 'node:test';
import type { Page } from 'playwright-core';
import { type BrowserSession, ensureWebBuilt, launchBrowser, webRoot } from './browser.js';
import { startTestServer, type TestServer } from './server.js';

export interface PlayerFixture {
  server: TestServer;
  browser: BrowserSession;
  page: Page;
  /** The id of the media file in the catalog (its file index is 0). */
  infoHash: string;
}

export function withPlayerPage(media: () => Promise<string>): PlayerFixture {
  const fixture = {} as PlayerFixture;
  before(async () => {
    ensureWebBuilt();
    fixture.server = await startTestServer({ webRoot });
    fixture.infoHash = (await fixture.server.catalog.addLocalFile(await media())).infoHash;
    fixture.browser = await launchBrowser();
    fixture.page = fixture.browser.page;
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.server?.close();
  });
  return fixture;
}

/**
 * Makes `page` a browser without HLS (no MediaSource for hls.js, no native HLS answer), so its player plays
 * remux/transcode as the progressive `/stream`, restarted with `t=` on a seek. Applies from the next load.
 */
export async function withoutHls(page: Page): Promise<void> {
  await page.addInitScript(() => {
    // Typed by hand: the helpers compile without the DOM library.
    type Media = { canPlayType(type: string): string };
    const w = globalThis as unknown as Record<string, unknown> & { HTMLMediaElement: { prototype: Media } };
    delete w.MediaSource;
    delete w.ManagedMediaSource;
    const proto = w.HTMLMediaElement.prototype;
    const canPlayType = proto.canPlayType;
    proto.canPlayType = function (this: Media, type: string) {
      return /mpegurl/i.test(type) ? '' : canPlayType.call(this, type);
    };
  });
}
