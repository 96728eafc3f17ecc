/**
 * A subtitle cue that is on screen must go when the picture it belongs to goes: after a seek — with HLS the
 * same track on the file's clock, with the progressive stream (a browser without HLS) a new track on the new
 * stream's clock — and after "Off". Checked in the text tracks and in what Chromium paints (the cue boxes
 * of the video's shadow DOM).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { makeTracksMedia } from '../helpers/media.js';
import { withoutHls, withPlayerPage } from '../helpers/player-page.js';
import { paintedCues } from './painted-cues.js';

const generous = { timeout: 30_000, polling: 100 };
// One long cue at the start, nothing at 20 s where the test seeks to.
const cues = [
  { start: 0, end: 8000, text: 'Early cue' },
  { start: 28_000, end: 29_000, text: 'Late cue' },
];

const player = withPlayerPage(() => makeTracksMedia({ seconds: 30, cues, name: 'tracks-clear-30s' }));
let progressive: Page;

/** Active cue texts of every text track the video has. */
const activeCues = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelector('video')?.textTracks ?? []).flatMap((t) =>
      Array.from(t.activeCues ?? [], (c) => (c as VTTCue).text),
    ),
  );

/** Opens the player, picks the subtitles, waits for the early cue on screen and pauses there. */
async function showEarlyCue(page: Page, engine: string): Promise<void> {
  await page.goto(`${player.server.url}/play/${player.infoHash}/0`);
  await page.locator('#subtitle-menu').selectOption('s3');
  await page.waitForFunction(
    () => Array.from(document.querySelector('video')?.textTracks ?? []).some((t) => t.activeCues?.length),
    undefined,
    generous,
  );
  await page.locator('.controls button[aria-label=Pause]').click();
  assert.equal(await page.locator('video').getAttribute('data-engine'), engine);
  assert.deepEqual(await activeCues(page), ['Early cue']);
  assert.deepEqual(await paintedCues(page), ['Early cue']);
}

const seekTo20 = (page: Page) =>
  page.locator('.seek-input').evaluate((el: HTMLInputElement) => {
    el.value = '20';
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });

describe('a showing subtitle cue', () => {
  // Inside the suite: its hooks run after the file's own (withPlayerPage's), which launch the browser.
  before(async () => {
    progressive = await player.browser.context.newPage();
    progressive.on('pageerror', (err) => player.browser.pageErrors.push(err.message));
    await withoutHls(progressive);
  });

  it('is gone after an HLS seek, whose track stays on the file clock', async () => {
    await showEarlyCue(player.page, 'hls.js');
    const trackSrc = await player.page.locator('video track').getAttribute('src');
    assert.doesNotMatch(trackSrc ?? '', /[?&]t=/);
    await seekTo20(player.page);
    await player.page.waitForFunction(
      () => {
        const v = document.querySelector('video');
        return !!v && Math.abs(v.currentTime - 20) < 0.5 && v.readyState >= 2 && !v.seeking;
      },
      undefined,
      generous,
    );
    assert.equal(await player.page.locator('video track').getAttribute('src'), trackSrc);
    assert.deepEqual(await activeCues(player.page), []);
    assert.deepEqual(await paintedCues(player.page), []);
  });

  it('is gone after a seek restarts the progressive stream', async () => {
    const page = progressive;
    await showEarlyCue(page, 'progressive');
    await seekTo20(page);
    await page.waitForFunction(
      () => new URL(document.querySelector('video')?.src ?? '', location.href).searchParams.get('t') === '20',
      undefined,
      generous,
    );
    // The new stream's track is loaded (its t is where the stream really starts: the keyframe at or before
    // 20 s, within the file's 1 s GOP) and the video has a frame there.
    await page.waitForFunction(
      () => {
        const v = document.querySelector('video');
        const track = v?.querySelector('track');
        const t = track ? Number(new URL(track.src).searchParams.get('t')) : Number.NaN;
        return !!v && v.readyState >= 2 && t > 18.9 && t <= 20 && track?.readyState === 2;
      },
      undefined,
      generous,
    );
    assert.equal(await page.locator('video track').count(), 1);
    assert.deepEqual(await activeCues(page), []);
    assert.deepEqual(await paintedCues(page), []);
  });

  for (const engine of ['hls.js', 'progressive']) {
    it(`is gone after the subtitles are turned off (${engine})`, async () => {
      const page = engine === 'hls.js' ? player.page : progressive;
      await showEarlyCue(page, engine);
      await page.locator('#subtitle-menu').selectOption('off');
      await page.waitForFunction(() => !document.querySelector('video track'), undefined, generous);
      assert.deepEqual(await activeCues(page), []);
      assert.deepEqual(await paintedCues(page), []);
    });
  }

  it('left no error in the page', () => {
    assert.deepEqual(player.browser.pageErrors, []);
  });
});
