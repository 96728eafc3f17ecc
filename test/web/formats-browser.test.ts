/**
 * The formats real torrents carry, played in a real browser (Debian's Chromium, headless) from the
 * player page: broadcast TS with ADTS AAC (remux), H.264 with B-frames in AVI (re-encoded), interlaced
 * MPEG-2 (deinterlaced), and music (FLAC; MP3 with a cover, shown as the poster).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type BrowserSession, ensureWebBuilt, launchBrowser, repoRoot, webRoot } from '../helpers/browser.js';
import { type MediaKind, makeMedia } from '../helpers/media.js';
import { ffmpegChildrenGone } from '../helpers/processes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const generous = 60_000;

let server: TestServer;
let browser: BrowserSession;
let page: Page;

before(async () => {
  ensureWebBuilt();
  server = await startTestServer({ webRoot });
  browser = await launchBrowser();
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await server?.close();
});

interface Played {
  mode: string | undefined;
  error: string | null;
  time: number;
  frames: number;
}

/** Opens the player on `kind` (a local file) and waits until 2.5 s have played, or a media error. */
async function play(kind: MediaKind): Promise<Played> {
  const { infoHash } = await server.catalog.addLocalFile(await makeMedia(kind, { seconds: 6 }));
  await page.goto(`${server.url}/play/${infoHash}/0`);
  await page.waitForFunction(
    () => {
      const v = document.querySelector('video');
      return !!v && (v.error !== null || v.currentTime > 2.5);
    },
    undefined,
    { timeout: generous, polling: 100 },
  );
  return page.evaluate(() => {
    const v = document.querySelector('video')!;
    return {
      mode: v.dataset.mode,
      error: v.error ? `MediaError ${v.error.code}: ${v.error.message}` : null,
      time: v.currentTime,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
    };
  });
}

describe('formats in the player', () => {
  it('plays a broadcast TS (H.264 + ADTS AAC) remuxed', async () => {
    const played = await play('ts-h264-aac');
    assert.equal(played.error, null);
    assert.equal(played.mode, 'remux');
    assert.ok(played.frames > 0);
  });

  it('plays H.264 with B-frames from an AVI, its frames in order', async () => {
    const played = await play('avi-h264-bframes');
    assert.equal(played.error, null);
    assert.equal(played.mode, 'transcode');
    // Re-encoded, since a copy's frames would be shown out of order (Chromium plays them without an error
    // and drops few, so the order itself is checked with ffprobe in test/stream/ffmpeg-formats).
    assert.ok(played.frames > 0);
  });

  it('plays interlaced MPEG-2 from a TS, deinterlaced', async () => {
    const played = await play('ts-mpeg2-interlaced');
    assert.equal(played.error, null);
    assert.equal(played.mode, 'transcode');
  });

  for (const kind of ['flac', 'mp3-cover'] as const) {
    it(`plays ${kind} directly`, async () => {
      const played = await play(kind);
      assert.equal(played.error, null);
      assert.equal(played.mode, 'direct');
      // The cover, when there is one, is the video's poster: shown while the audio plays.
      const posterWidth = await page.evaluate(async () => {
        const poster = document.querySelector('video')!.poster;
        if (!poster) return null;
        const image = new Image();
        image.src = poster;
        await image.decode();
        return image.naturalWidth;
      });
      assert.equal(posterWidth, kind === 'mp3-cover' ? 160 : null);
      const artifacts = join(repoRoot, 'test-artifacts');
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, `player-${kind}.png`), fullPage: true });
    });
  }

  it('leaves no FFmpeg running once the browser is gone', async () => {
    await browser.close();
    assert.deepEqual(browser.pageErrors, []);
    assert.deepEqual(await ffmpegChildrenGone(10_000), []);
  });
});
