/**
 * Resume where you left off, in a real browser (headless Chromium) against a real server: the player saves
 * where playback is (on pause, and as the page goes away), the home page shows how far the file was watched,
 * and the next visit offers "Resume at …" over the picture — which seeks there, by `currentTime` on HLS and by
 * restarting the progressive stream at `t=` — or "Start over", which goes back to 0; until it is answered
 * the saved position stays. A file stopped at its end counts as watched.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { repoRoot } from '../helpers/browser.js';
import { makeMedia } from '../helpers/media.js';
import { withoutHls, withPlayerPage } from '../helpers/player-page.js';

const generous = { timeout: 30_000, polling: 100 };
const player = withPlayerPage(() => makeMedia('mkv-h264-aac', { seconds: 60, size: '160x120' }));

const artifacts = join(repoRoot, 'test-artifacts');
/** The file a test works on, when not the fixture's. */
let subject: string | undefined;
const infoHash = () => subject ?? player.infoHash;
const positionUrl = () => `${player.server.url}/api/torrents/${infoHash()}/files/0/position`;
const playUrl = () => `${player.server.url}/play/${infoHash()}/0`;

/**
 * Gives a test a file of its own, probed (so its saved positions carry the duration). A page an earlier test
 * left may still send its last save as it goes away, after that test ended; on another file it cannot land on
 * the position this test puts.
 */
async function ownFile(seconds: number): Promise<void> {
  const media = await makeMedia('mkv-h264-aac', { seconds, size: '160x120' });
  subject = (await player.server.catalog.addLocalFile(media)).infoHash;
  const probe = await fetch(`${player.server.url}/api/torrents/${subject}/files/0/probe`);
  assert.equal(probe.status, 200);
}

async function saved(): Promise<number> {
  return ((await (await fetch(positionUrl())).json()) as { seconds: number }).seconds;
}

async function putPosition(seconds: number): Promise<void> {
  const response = await fetch(positionUrl(), {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ seconds }),
  });
  assert.equal(response.status, 200);
}

/** Waits until the server holds a position that `check` accepts (the page saves it in its own time). */
async function savedWhere(check: (seconds: number) => boolean, what: string): Promise<number> {
  const until = Date.now() + 30_000;
  for (;;) {
    const seconds = await saved();
    if (check(seconds)) return seconds;
    if (Date.now() > until) throw new Error(`the saved position ${seconds} never became ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Opens the player, resolving once the page has read the saved position. */
async function openPlayer(page: Page): Promise<void> {
  const asked = page.waitForResponse((response) => response.url().endsWith('/files/0/position'));
  await page.goto(playUrl());
  await asked;
}

const playingPast = (page: Page, t: number) =>
  page.waitForFunction(
    (past) => {
      const v = document.querySelector('video');
      return !!v && !v.paused && v.readyState >= 2 && v.currentTime > past;
    },
    t,
    generous,
  );

/** Where the element first played from: its first `played` range (0 when it started at the beginning). */
const playedFrom = (page: Page) => page.evaluate(() => document.querySelector('video')!.played.start(0));

async function seekTo(page: Page, t: number): Promise<void> {
  await page.locator('.seek-input').evaluate((el: HTMLInputElement, value) => {
    el.value = String(value);
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, t);
}

describe('resume where you left off', () => {
  it('saves on pause and on leaving, shows it on the card, and offers to resume or start over', async () => {
    const page = player.page;
    await openPlayer(page);
    await playingPast(page, 0.5);
    assert.equal(await page.getByRole('button', { name: /^Resume at/ }).count(), 0, 'nothing to resume yet');
    assert.equal(await page.locator('video').getAttribute('data-engine'), 'hls.js');

    await page.getByRole('button', { name: 'Pause' }).click();
    const paused = await page.evaluate(() => document.querySelector('video')!.currentTime);
    await savedWhere((s) => Math.abs(s - paused) < 0.5, `≈ ${paused} (the pause)`);

    // Moved while paused, then left: only the page going away can save this one.
    await seekTo(page, 30);
    await page.waitForFunction(
      () => {
        const v = document.querySelector('video')!;
        return !v.seeking && v.readyState >= 2 && Math.abs(v.currentTime - 30) < 0.5;
      },
      undefined,
      generous,
    );
    await page.goto(`${player.server.url}/`);
    await savedWhere((s) => Math.abs(s - 30) < 0.5, '≈ 30 (saved as the page went away)');

    // The card says how far it was watched.
    const watched = page.locator('.watched-text');
    await watched.waitFor(generous);
    assert.equal(await watched.textContent(), '0:30 of 1:00');
    const bar = page.getByRole('progressbar', { name: /^Watched of / });
    assert.ok(Math.abs(Number(await bar.getAttribute('value')) - 30) < 0.5);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'resume-card.png') });

    // Offered over the picture, which plays from the beginning meanwhile.
    await openPlayer(page);
    const resume = page.getByRole('button', { name: 'Resume at 0:30' });
    await resume.waitFor(generous);
    assert.match(
      (await page.getByRole('region', { name: 'Resume' }).textContent()) ?? '',
      /stopped at 0:30 of 1:00/,
    );
    await playingPast(page, 0.5);
    assert.ok((await playedFrom(page)) < 1, 'it plays from the beginning until answered');
    await page.screenshot({ path: join(artifacts, 'resume-offer.png') });
    await resume.click();
    await page.waitForFunction(
      () => {
        const v = document.querySelector('video')!;
        return !v.paused && !v.seeking && v.readyState >= 2 && v.currentTime >= 30;
      },
      undefined,
      generous,
    );
    const at = await page.evaluate(() => document.querySelector('video')!.currentTime);
    assert.ok(at < 40, `resumed near 0:30, at ${at}`);
    assert.equal(await resume.count(), 0, 'answered');

    await openPlayer(page);
    await playingPast(page, 0.5);
    await page.getByRole('button', { name: 'Start over' }).click();
    await page.getByRole('region', { name: 'Resume' }).waitFor({ state: 'detached', ...generous });
    await playingPast(page, 0.2);
    await page.getByRole('button', { name: 'Pause' }).click();
    await savedWhere((s) => s < 20, 'from the beginning again');
    // Left, so that its saves stop; the last one is where it got to from the beginning.
    await page.goto('about:blank');
    await savedWhere((s) => s < 25, 'the start-over page’s last save');
  });

  it('resumes the progressive stream at the saved time, in the file’s time', async () => {
    const page = await player.browser.context.newPage();
    page.on('pageerror', (err) => player.browser.pageErrors.push(err.message));
    await withoutHls(page);
    await ownFile(61);
    await putPosition(20);
    await openPlayer(page);
    await page.getByRole('button', { name: 'Resume at 0:20' }).click();
    await page.waitForFunction(
      () => {
        const v = document.querySelector('video');
        return !!v && !v.paused && v.readyState >= 2 && v.currentTime > 0.2;
      },
      undefined,
      generous,
    );
    assert.equal(await page.locator('video').getAttribute('data-engine'), 'progressive');
    // The file's time: a stream restarted at t=20 (its clock from 0), or the first one if it had buffered that far.
    await page.waitForFunction(
      () => Number(document.querySelector<HTMLInputElement>('.seek-input')?.value) >= 19,
      undefined,
      generous,
    );
    const shown = await page.locator('.seek-input').evaluate((el: HTMLInputElement) => Number(el.value));
    assert.ok(shown < 30, `the seek bar shows ${shown}`);
    const src = new URL((await page.locator('video').getAttribute('src')) ?? '', player.server.url);
    assert.ok([null, '20'].includes(src.searchParams.get('t')), src.search);
    // Saved in the file's time (the stream's start plus its clock), not the stream's own clock.
    await page.getByRole('button', { name: 'Pause' }).click();
    await savedWhere((s) => s >= 19 && s < 40, 'the file time past the resume point');
    await page.close();
  });

  it('counts a file stopped at its end as watched: the card says so and the player starts over', async () => {
    const page = player.page;
    await ownFile(62);
    await putPosition(60);
    await page.goto(`${player.server.url}/`);
    await page.locator('.watched.is-done').waitFor(generous);
    assert.equal(await page.locator('.watched.is-done').textContent(), 'Watched');
    await openPlayer(page);
    await playingPast(page, 0.5);
    assert.equal(await page.getByRole('button', { name: /^Resume at/ }).count(), 0);
    assert.ok((await playedFrom(page)) < 1, 'started at the beginning');
  });

  it('resumes direct play by currentTime; a seek with the browser’s own controls answers the offer', async () => {
    const page = player.page;
    const mp4 = await player.server.catalog.addLocalFile(await makeMedia('mp4', { seconds: 30 }));
    const url = `${player.server.url}/api/torrents/${mp4.infoHash}/files/0/position`;
    const put = await fetch(url, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: '{"seconds": 12}',
    });
    assert.equal(put.status, 200);
    const open = async () => {
      const asked = page.waitForResponse((response) => response.url() === url);
      await page.goto(`${player.server.url}/play/${mp4.infoHash}/0`);
      await asked;
    };
    await open();
    await page.getByRole('button', { name: 'Resume at 0:12' }).click();
    await playingPast(page, 12);
    assert.equal(await page.locator('video').getAttribute('data-engine'), 'direct');

    await open();
    await page.getByRole('button', { name: 'Resume at' }).waitFor(generous);
    await page.evaluate(() => {
      document.querySelector('video')!.currentTime = 20;
    });
    await page.getByRole('region', { name: 'Resume' }).waitFor({ state: 'detached', ...generous });
  });
});
