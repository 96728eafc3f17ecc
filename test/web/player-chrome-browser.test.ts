/**
 * The player's chrome in a real browser (headless Chromium) on a remux stream (HLS): fullscreen playback
 * hides the controls and the cursor when idle and a mouse move brings them back; a seek that restarts the
 * progressive stream (a browser without HLS) keeps the last frame on screen until the new one; the volume
 * slider drives `video.volume` and is remembered.
 * Fullscreen is the real thing: the `f` key is a user gesture, and headless Chromium grants it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { makeMedia } from '../helpers/media.js';
import { withoutHls, withPlayerPage } from '../helpers/player-page.js';

const generous = { timeout: 30_000, polling: 100 };

const player = withPlayerPage(() => makeMedia('mkv-h264-aac', { seconds: 120, size: '320x180' }));

async function openPlaying(page: Page = player.page): Promise<void> {
  await page.goto(`${player.server.url}/play/${player.infoHash}/0`);
  await page.waitForFunction(
    () => {
      const v = document.querySelector('video');
      return !!v && !v.paused && v.currentTime > 0.5 && v.readyState >= 2;
    },
    undefined,
    generous,
  );
}

/** What the viewer sees of the chrome: the controls' opacity and the cursor over the video. */
const chrome = () =>
  player.page.evaluate(() => ({
    controls: getComputedStyle(document.querySelector('.controls')!).opacity,
    cursor: getComputedStyle(document.querySelector('video')!).cursor,
  }));

describe('player chrome', () => {
  it('hides the controls and cursor when idle in fullscreen playback; a mouse move or a tap shows them', async () => {
    await openPlaying();
    await player.page.mouse.move(200, 200);
    await player.page.keyboard.press('f');
    await player.page.waitForFunction(
      () => document.fullscreenElement?.classList.contains('stage'),
      undefined,
      generous,
    );
    await player.page.waitForFunction(
      () =>
        getComputedStyle(document.querySelector('.controls')!).opacity === '0' &&
        getComputedStyle(document.querySelector('video')!).cursor === 'none',
      undefined,
      generous,
    );
    await player.page.mouse.move(300, 250);
    await player.page.waitForFunction(
      () => getComputedStyle(document.querySelector('.controls')!).opacity === '1',
      undefined,
      generous,
    );
    assert.notEqual((await chrome()).cursor, 'none');

    // Hidden again, a tap (touch) on the picture only brings them back: playback goes on.
    await player.page.waitForFunction(
      () => getComputedStyle(document.querySelector('.controls')!).opacity === '0',
      undefined,
      generous,
    );
    await player.page.locator('video').evaluate((v: HTMLVideoElement) => {
      v.dispatchEvent(new PointerEvent('pointerdown', { pointerType: 'touch', bubbles: true }));
      v.click();
    });
    await player.page.waitForFunction(
      () => getComputedStyle(document.querySelector('.controls')!).opacity === '1',
      undefined,
      generous,
    );
    assert.equal(await player.page.evaluate(() => document.querySelector('video')!.paused), false);

    // Paused: they stay, however long nobody moves (a broken rule would hide them after 3 s).
    await player.page.keyboard.press(' ');
    await player.page.waitForFunction(() => document.querySelector('video')?.paused, undefined, generous);
    await player.page.waitForTimeout(4500);
    assert.deepEqual(await chrome(), { controls: '1', cursor: 'auto' });
    await player.page.keyboard.press('f');
    await player.page.waitForFunction(() => !document.fullscreenElement, undefined, generous);
  });

  it('keeps the last frame on screen while a seek restarts the progressive stream', async () => {
    // HLS seeks keep the element's source (test/web/hls-browser); the progressive stream restarts with t=.
    const page = await player.browser.context.newPage();
    await withoutHls(page);
    await openPlaying(page);
    // At the moment the old stream is dropped (`emptied`), look at what covers the blank video.
    await page.evaluate(() => {
      const v = document.querySelector('video')!;
      const w = window as unknown as { atSwap?: { shown: boolean; brightness: number; covers: boolean } };
      v.addEventListener(
        'emptied',
        () => {
          const c = document.querySelector<HTMLCanvasElement>('canvas.freeze-frame');
          if (!c || c.hidden || getComputedStyle(c).display === 'none' || !c.width) {
            w.atSwap = { shown: false, brightness: 0, covers: false };
            return;
          }
          const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let sum = 0;
          for (let i = 0; i < data.length; i += 4) sum += data[i]! + data[i + 1]! + data[i + 2]!;
          const a = c.getBoundingClientRect();
          const b = v.getBoundingClientRect();
          w.atSwap = {
            shown: true,
            brightness: sum / (data.length / 4) / 3,
            covers: a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height,
          };
        },
        { once: true },
      );
    });
    await page.locator('.seek-input').evaluate((el: HTMLInputElement) => {
      el.value = '90';
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.waitForFunction(
      () => (window as unknown as { atSwap?: unknown }).atSwap !== undefined,
      undefined,
      generous,
    );
    const atSwap = await page.evaluate(() => (window as unknown as { atSwap: unknown }).atSwap);
    assert.equal(
      new URL(await page.locator('video').evaluate((v: HTMLVideoElement) => v.src)).searchParams.get('t'),
      '90',
    );
    assert.deepEqual(atSwap, {
      shown: true,
      brightness: (atSwap as { brightness: number }).brightness,
      covers: true,
    });
    // testsrc2's picture is far from black.
    assert.ok((atSwap as { brightness: number }).brightness > 40, JSON.stringify(atSwap));
    // Once the new stream has its first frame, the copy goes.
    await page.waitForFunction(
      () => {
        const v = document.querySelector('video')!;
        return v.readyState >= 2 && document.querySelector<HTMLCanvasElement>('canvas.freeze-frame')!.hidden;
      },
      undefined,
      generous,
    );
    await page.close();
  });

  it('sets the volume with the slider and the arrow keys, and remembers it', async () => {
    await openPlaying();
    const slider = player.page.getByRole('slider', { name: 'Volume' });
    await slider.evaluate((el: HTMLInputElement) => {
      el.value = '0.3';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const volume = () => player.page.evaluate(() => document.querySelector('video')!.volume);
    assert.equal(await volume(), 0.3);
    await player.page.locator('body').click({ position: { x: 5, y: 5 } });
    await player.page.keyboard.press('ArrowDown');
    assert.equal(await volume(), 0.25);
    await player.page.keyboard.press('ArrowUp');
    await player.page.keyboard.press('ArrowUp');
    assert.equal(await volume(), 0.35);
    // The slider follows the element (its `volumechange` re-renders it).
    await player.page.waitForFunction(
      () => document.querySelector<HTMLInputElement>('input.volume')?.value === '0.35',
      undefined,
      generous,
    );

    // Down to 0 is Mute, which keeps the level for Unmute.
    await slider.evaluate((el: HTMLInputElement) => {
      el.value = '0';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    assert.deepEqual(
      await player.page.evaluate(() => [
        document.querySelector('video')!.muted,
        document.querySelector('video')!.volume,
      ]),
      [true, 0.35],
    );
    await player.page.locator('.controls button[aria-label=Mute]').click();
    assert.deepEqual(
      await player.page.evaluate(() => [
        document.querySelector('video')!.muted,
        document.querySelector('video')!.volume,
      ]),
      [false, 0.35],
    );

    await player.page.reload();
    await player.page.waitForFunction(
      () => document.querySelector('video')?.volume === 0.35,
      undefined,
      generous,
    );
    // Autoplay may have muted it (no gesture since the reload): then the slider reads 0 until Unmute.
    await player.page.waitForFunction(
      () => {
        const v = document.querySelector('video')!;
        const shown = document.querySelector<HTMLInputElement>('input.volume')?.value;
        return shown === (v.muted ? '0' : '0.35');
      },
      undefined,
      generous,
    );
    assert.deepEqual(player.browser.pageErrors, []);
  });
});
