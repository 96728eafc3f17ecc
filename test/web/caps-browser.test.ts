/**
 * The player tells the server what this Chromium decodes: its probe and HLS requests carry the `caps=` that
 * the page's own MediaSource.isTypeSupported reports, and what is copied follows from them (an HEVC MKV's
 * video is copied where HEVC decodes, encoded where it does not).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page, Request } from 'playwright-core';
import { CAP_QUERIES } from '../../src/web/caps.js';
import { makeMedia } from '../helpers/media.js';
import { withPlayerPage } from '../helpers/player-page.js';

const player = withPlayerPage(() => makeMedia('mkv-hevc-aac'));

const playing = (page: Page) =>
  page.waitForFunction(
    () => {
      const v = document.querySelector('video');
      return !!v && v.currentTime > 0.5 && v.readyState >= 2;
    },
    undefined,
    { timeout: 30_000, polling: 100 },
  );

describe('caps from the browser', () => {
  it("puts the page's MediaSource answers on the probe and HLS URLs", async (t) => {
    const { page, server, infoHash } = player;
    const requests: Request[] = [];
    page.on('request', (request) => requests.push(request));
    await page.goto(`${server.url}/play/${infoHash}/0`);
    await playing(page);

    // Asked here independently of the player's code: what this Chromium says it decodes.
    const supported = await page.evaluate(
      (queries) => queries.filter(([, type]) => MediaSource.isTypeSupported(type)).map(([word]) => word),
      CAP_QUERIES.map(([word, type]) => [word, type] as [string, string]),
    );
    t.diagnostic(`this Chromium decodes: ${supported.join(',') || 'the baseline only'}`);
    const capsOf = (path: string) =>
      requests
        .map((r) => new URL(r.url()))
        .filter((url) => url.pathname.startsWith(path))
        .map((url) => url.searchParams.get('caps'));
    const probes = capsOf(`/api/torrents/${infoHash}/files/0/probe`);
    const hls = capsOf(`/hls/${infoHash}/0/`);
    assert.ok(probes.length >= 1 && hls.length >= 2, `probes ${probes}, hls ${hls}`);
    for (const caps of [...probes, ...hls]) assert.equal(caps, supported.join(','));

    // The rendition the server chose for these caps is named in the URLs the player fetched.
    const video = requests.map((r) => /\/(video-[\w-]+)\//.exec(r.url())?.[1]).find(Boolean);
    const expected = supported.includes('hevc') ? 'video-copy' : 'video-h264';
    assert.equal(video, expected, `caps=${supported.join(',')}`);

    // The progressive stream (HLS failing here) carries them too, and its mode follows from them.
    await page.route('**/hls/**', (route) => route.fulfill({ status: 404, body: '{}' }));
    requests.length = 0;
    await page.reload();
    await playing(page);
    await page.unroute('**/hls/**');
    const streams = capsOf(`/stream/${infoHash}/0`);
    assert.ok(streams.length >= 1, `streams ${streams}`);
    for (const caps of streams) assert.equal(caps, supported.join(','));
    const response = await requests.find((r) => r.url().includes('/stream/'))?.response();
    const mode = supported.includes('hevc') ? 'remux' : 'transcode';
    assert.equal(response?.headers()['x-stream-mode'], mode, `caps=${supported.join(',')}`);
  });
});
