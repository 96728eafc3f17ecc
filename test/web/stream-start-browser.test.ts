/**
 * A progressive seek lands on the keyframe at or before the time asked (the server says where in
 * X-Stream-Start): the player's clock and its subtitles must count from there, not from the time asked,
 * or both run ahead of the picture by up to a keyframe interval.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { makeTracksMedia } from '../helpers/media.js';
import { withoutHls, withPlayerPage } from '../helpers/player-page.js';

const generous = { timeout: 30_000, polling: 100 };
// A keyframe every second (24 frames at 24 fps), B-frames from x264's defaults.
const player = withPlayerPage(() => makeTracksMedia({ seconds: 30, name: 'tracks-stream-start-30s' }));

const trackT = (page: Page) =>
  page.evaluate(() => {
    const src = document.querySelector('video track')?.getAttribute('src');
    return src ? Number(new URL(src, location.href).searchParams.get('t') ?? 0) : null;
  });

describe('a progressive seek', () => {
  it('counts the clock and the subtitles from where the stream really starts', async () => {
    const page = await player.browser.context.newPage();
    page.on('pageerror', (err) => player.browser.pageErrors.push(err.message));
    await withoutHls(page);
    await page.goto(`${player.server.url}/play/${player.infoHash}/0`);
    await page.locator('#subtitle-menu').selectOption('s3');
    await page.waitForFunction(
      () => (document.querySelector('video')?.currentTime ?? 0) > 0,
      undefined,
      generous,
    );
    assert.equal(await page.locator('video').getAttribute('data-engine'), 'progressive');

    const head = await fetch(`${player.server.url}/stream/${player.infoHash}/0?t=20.5&caps=`, {
      method: 'HEAD',
    });
    const realStart = Number(head.headers.get('X-Stream-Start'));
    assert.ok(realStart < 20.5 && realStart > 19, `the keyframe before 20.5 is at ${realStart}`);

    await page.locator('.seek-input').evaluate((el: HTMLInputElement) => {
      el.value = '20.5';
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    // The subtitles move with the stream: their t is the stream's real start, once the server said it.
    await page.waitForFunction(
      (expected) => {
        const src = document.querySelector('video track')?.getAttribute('src');
        const t = src ? Number(new URL(src, location.href).searchParams.get('t')) : Number.NaN;
        return Math.abs(t - expected) < 0.01;
      },
      realStart,
      generous,
    );
    assert.ok(Math.abs((await trackT(page))! - realStart) < 0.01);
    // The seek bar shows the picture's time: from the real start on, not from 20.5.
    const shown = await page.locator('.seek-input').evaluate((el: HTMLInputElement) => Number(el.value));
    const playing = await page.evaluate(() => document.querySelector('video')?.currentTime ?? 0);
    assert.ok(
      Math.abs(shown - (realStart + playing)) < 0.5,
      `seek bar at ${shown}, picture at ${realStart + playing}`,
    );
    await page.close();
  });
});
