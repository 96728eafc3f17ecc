/**
 * Layout and accessibility checks in a real browser (headless Chromium): the player fits a phone held
 * sideways (video letterboxed, controls inside the screen, touch targets ≥ 40 px); text on primary buttons
 * has a WCAG contrast of at least 4.5:1, computed from the styles Chromium applies; each torrent's Remove
 * and Playlist controls carry its name. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserSession, ensureWebBuilt, launchBrowser, repoRoot, webRoot } from '../helpers/browser.js';
import { makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const generous = { timeout: 30_000, polling: 100 };
const artifacts = join(repoRoot, 'test-artifacts');

let server: TestServer;
const names: string[] = [];
const hashes: string[] = [];
const sessions: BrowserSession[] = [];

before(async () => {
  ensureWebBuilt();
  mkdirSync(artifacts, { recursive: true });
  server = await startTestServer({ webRoot });
  for (const [kind, name] of [
    ['mkv-h264-aac', 'Phone landscape sample'],
    ['mp4', 'Second sample'],
  ] as const) {
    const path = await makeMedia(kind, { seconds: 20, size: '320x180', name });
    hashes.push((await server.catalog.addLocalFile(path)).infoHash);
    names.push(path.split('/').pop()!);
  }
});

after(async () => {
  for (const s of sessions) await s.close();
  await server?.close();
});

async function open(viewport?: { width: number; height: number }): Promise<BrowserSession> {
  const session = await launchBrowser(viewport);
  sessions.push(session);
  return session;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const inside = (box: Box, width: number, height: number) =>
  box.x >= -0.5 && box.y >= -0.5 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5;

/** WCAG 2 contrast ratio of two `rgb()`/`rgba()` colours (opaque ones). */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, bl] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((n) => {
      const c = Number(n) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('layout', () => {
  for (const viewport of [
    { width: 844, height: 390 },
    { width: 667, height: 375 },
  ]) {
    it(`fits the player into a phone held sideways (${viewport.width}×${viewport.height})`, async () => {
      const { page } = await open(viewport);
      await page.goto(`${server.url}/play/${hashes[0]}/0`);
      await page.waitForFunction(
        () => (document.querySelector('video')?.readyState ?? 0) >= 2,
        undefined,
        generous,
      );
      await page.locator('.stage').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({
        path: join(artifacts, `player-phone-${viewport.width}x${viewport.height}.png`),
      });
      const video = (await page.locator('video').boundingBox())!;
      const controls = (await page.locator('.controls').boundingBox())!;
      assert.ok(inside(video, viewport.width, viewport.height), `video ${JSON.stringify(video)}`);
      assert.ok(inside(controls, viewport.width, viewport.height), `controls ${JSON.stringify(controls)}`);
      assert.ok(
        await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth),
        'the page scrolls sideways',
      );
      for (const target of await page.locator('.controls button, .controls input.volume').all()) {
        const box = (await target.boundingBox())!;
        const label = await target.getAttribute('aria-label');
        assert.ok(inside(box, viewport.width, viewport.height), `${label} ${JSON.stringify(box)}`);
        assert.ok(box.height >= 40, `${label} is ${box.height} px high`);
        if (label !== 'Volume') assert.ok(box.width >= 40, `${label} is ${box.width} px wide`);
      }

      // Fullscreen (the `f` key is a user gesture): the picture and the controls over it fill the screen.
      await page.keyboard.press('f');
      await page.waitForFunction(() => !!document.fullscreenElement, undefined, generous);
      await page.screenshot({
        path: join(artifacts, `player-phone-${viewport.width}x${viewport.height}-fullscreen.png`),
      });
      for (const selector of ['video', '.controls']) {
        const box = (await page.locator(selector).boundingBox())!;
        assert.ok(
          inside(box, viewport.width, viewport.height),
          `fullscreen ${selector} ${JSON.stringify(box)}`,
        );
      }
    });
  }

  it('gives text on primary buttons a contrast of at least 4.5:1', async () => {
    const { page } = await open();
    await page.goto(server.url);
    await page.locator('a.primary').first().waitFor(generous);
    const colours = await page.locator('.primary').evaluateAll((els) =>
      els.map((el) => ({
        color: getComputedStyle(el).color,
        background: getComputedStyle(el).backgroundColor,
      })),
    );
    assert.ok(colours.length >= 3, JSON.stringify(colours)); // Add, and a Play link per file
    for (const { color, background } of colours) {
      const ratio = contrast(color, background);
      assert.ok(ratio >= 4.5, `${color} on ${background}: ${ratio.toFixed(2)}:1`);
    }
  });

  it("labels each torrent's Remove and Playlist controls with its name", async () => {
    const { page } = await open();
    await page.goto(server.url);
    await page.locator('a.primary').first().waitFor(generous);
    await page.screenshot({ path: join(artifacts, 'home-two-torrents.png'), fullPage: true });
    for (const name of names) {
      assert.equal(await page.getByRole('button', { name: `Remove ${name}…`, exact: true }).count(), 1);
      assert.equal(
        await page.getByRole('link', { name: `Playlist (.m3u) of ${name}`, exact: true }).count(),
        1,
      );
    }
  });
});
