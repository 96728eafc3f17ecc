/**
 * The player on HLS in a real browser (headless Chromium, hls.js): a remuxed MKV and a transcoded AVI play
 * from the server's playlists, a seek to 70 % is one request for the segment there (no new stream, no blank
 * picture), an audio switch changes rendition without a reload, and the progressive stream takes over where
 * HLS fails (502) or the browser has none.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type BrowserSession, ensureWebBuilt, launchBrowser, webRoot } from '../helpers/browser.js';
import { type MediaKind, makeMedia, makeTracksMedia } from '../helpers/media.js';
import { withoutHls } from '../helpers/player-page.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { generous, openPage, pageErrors, playsPast, read, seekBarTo, segmentStarts } from './hls-page.js';

let server: TestServer;
let browser: BrowserSession;
const hashes = new Map<string, string>();

before(async () => {
  ensureWebBuilt();
  server = await startTestServer({ webRoot });
  const files: Array<[string, Promise<string>]> = [
    ['mkv-h264-aac', makeMedia('mkv-h264-aac', { seconds: 120 })],
    ['avi-mpeg4-mp3', makeMedia('avi-mpeg4-mp3', { seconds: 120 })],
    ['tracks', makeTracksMedia({ seconds: 30, name: 'tracks-hls-30s' })],
  ];
  for (const [name, path] of files)
    hashes.set(name, (await server.catalog.addLocalFile(await path)).infoHash);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('the player on HLS', () => {
  for (const [kind, mode] of [
    ['mkv-h264-aac', 'remux'],
    ['avi-mpeg4-mp3', 'transcode'],
  ] as Array<[MediaKind, string]>) {
    it(`plays a ${mode} (${kind}) through hls.js and seeks to 70 % with a request for the segment there`, async () => {
      const { page, requests } = await openPage(browser, server.url);
      await page.goto(`${server.url}/play/${hashes.get(kind)}/0`);
      const first = await playsPast(page, 1.5);
      assert.equal(first.error, null);
      assert.equal(first.engine, 'hls.js');
      assert.equal(first.mode, mode);
      assert.ok(first.frames > 0 && first.brightness > 40, JSON.stringify(first));
      assert.ok(requests.some((p) => p.includes('/master.m3u8?')));
      assert.equal(await page.getByTestId('delivery').textContent(), 'HLS segments (hls.js)');
      assert.deepEqual(
        requests.filter((p) => p.startsWith('/stream/')),
        [],
      );

      const playlist = requests.find((p) => /\/video-[\w-]+\/index\.m3u8/.test(p));
      assert.ok(playlist, requests.join('\n'));
      const rendition = /\/(video-[\w-]+)\//.exec(playlist)![1]!;
      const starts = await segmentStarts(server.url + playlist);
      const duration = Number(await page.locator('.seek-input').getAttribute('max'));
      assert.ok(Math.abs(duration - 120) < 1, `duration ${duration}`);
      // The middle of the segment at 70 %, away from its edges, where which segment holds a time is moot.
      const segment = starts.findLastIndex((s) => s <= duration * 0.7);
      const end = starts[segment + 1] ?? duration;
      const target = Math.round((starts[segment]! + end) * 5) / 10;
      const wanted = `/${rendition}/${segment}.m4s`;
      assert.ok(!requests.some((p) => p.includes(wanted)), `${wanted} was fetched before the seek`);

      // A seek keeps the element's source: no `emptied`, so the picture never blanks.
      await page.evaluate(() => {
        const w = window as unknown as { emptied?: boolean };
        document.querySelector('video')!.addEventListener('emptied', () => (w.emptied = true));
      });
      await seekBarTo(page, target);
      const landed = await playsPast(page, target + 1);
      assert.equal(landed.error, null);
      assert.ok(landed.time < target + 6, `at ${landed.time} for ${target}`);
      assert.ok(
        requests.some((p) => p.includes(wanted)),
        `no ${wanted} in\n${requests.join('\n')}`,
      );
      assert.equal(
        await page.evaluate(() => (window as unknown as { emptied?: boolean }).emptied),
        undefined,
      );
      assert.ok(landed.brightness > 40, JSON.stringify(landed));
      // The clock is the file's time, which is the element's.
      const [m, s] = landed.clock.split(' ')[0]!.split(':').map(Number);
      assert.ok(Math.abs(m! * 60 + s! - landed.time) <= 2, `${landed.clock} at ${landed.time}`);

      // The keys seek the same way: → into what is buffered, ← back before the seek.
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      for (const [key, delta] of [
        ['ArrowRight', 10],
        ['ArrowLeft', -10],
      ] as const) {
        const from = (await read(page)).time;
        await page.keyboard.press(key);
        await page.waitForFunction(
          ([t, d]) => {
            const v = document.querySelector('video')!;
            return Math.abs(v.currentTime - (t + d)) < 2.5 && v.readyState >= 2;
          },
          [from, delta] as const,
          generous,
        );
      }
      assert.deepEqual(
        requests.filter((p) => p.startsWith('/stream/')),
        [],
      );
      await page.close();
    });
  }

  it('switches audio with hls.js on the same source, keeping the chosen subtitles', async () => {
    const { page, requests } = await openPage(browser, server.url);
    await page.goto(`${server.url}/play/${hashes.get('tracks')}/0`);
    await page.locator('#subtitle-menu').selectOption('s3');
    const first = await playsPast(page, 1);
    assert.equal(first.engine, 'hls.js');
    const source = await page.evaluate(() => document.querySelector('video')!.src);
    const switched = page.waitForRequest((r) => /\/audio1-[\w-]+\/\d+\.m4s/.test(r.url()), generous);
    await page.locator('#audio-menu').selectOption('1');
    await switched;
    await playsPast(page, first.time + 1.5);
    assert.equal(await page.evaluate(() => document.querySelector('video')!.src), source);
    // The subtitles stay on the file's clock (t=0 with HLS) and keep their cues.
    const track = await page.evaluate(() => {
      const el = document.querySelector('video track') as HTMLTrackElement | null;
      return { src: el?.src ?? '', cues: el?.track.cues?.length ?? 0 };
    });
    assert.doesNotMatch(track.src, /[?&]t=/);
    assert.ok(track.cues > 0, JSON.stringify(track));
    assert.ok(!requests.some((p) => p.startsWith('/stream/')));
    await page.close();
  });

  it('falls back to the progressive stream when HLS fails, says so, and stops asking for HLS', async () => {
    const { page, requests } = await openPage(browser, server.url);
    await page.route('**/hls/**', (route) =>
      route.fulfill({ status: 502, contentType: 'application/json', body: '{"error":"FFmpeg failed"}' }),
    );
    await page.goto(`${server.url}/play/${hashes.get('mkv-h264-aac')}/0`);
    const view = await playsPast(page, 1.5);
    assert.equal(view.error, null);
    assert.equal(view.engine, 'progressive');
    assert.match(view.fallback ?? '', /HTTP 502/);
    assert.match((await page.getByTestId('delivery').textContent()) ?? '', /one continuous stream/);
    assert.ok(requests.some((p) => p.startsWith('/stream/')));
    const asked = requests.filter((p) => p.startsWith('/hls/')).length;
    assert.ok(asked >= 1);
    await page.waitForTimeout(2000);
    assert.equal(requests.filter((p) => p.startsWith('/hls/')).length, asked, 'hls.js was not stopped');
    assert.equal(await page.locator('[role=alert]').count(), 0);
    await page.close();
  });

  it('plays the progressive stream in a browser without HLS, never asking for it', async () => {
    const { page, requests } = await openPage(browser, server.url);
    await withoutHls(page);
    await page.goto(`${server.url}/play/${hashes.get('avi-mpeg4-mp3')}/0`);
    const view = await playsPast(page, 1.5);
    assert.equal(view.error, null);
    assert.equal(view.engine, 'progressive');
    assert.equal(view.fallback, null);
    assert.ok(requests.some((p) => p.startsWith('/stream/')));
    assert.ok(!requests.some((p) => p.startsWith('/hls/')));
    await page.close();
    assert.deepEqual(pageErrors, []);
  });
});
