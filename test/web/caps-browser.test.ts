/**
 * The player tells the server what this Chromium decodes: its probe and stream requests carry the `caps=`
 * that the page's own MediaSource.isTypeSupported reports, and the stream's mode follows from them (an HEVC
 * MKV is remuxed where HEVC decodes, transcoded where it does not).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request } from 'playwright-core';
import { CAP_QUERIES } from '../../src/web/caps.js';
import { makeMedia } from '../helpers/media.js';
import { withPlayerPage } from '../helpers/player-page.js';

const player = withPlayerPage(() => makeMedia('mkv-hevc-aac'));

describe('caps from the browser', () => {
  it("puts the page's MediaSource answers on the probe and stream URLs", async (t) => {
    const { page, server, infoHash } = player;
    const requests: Request[] = [];
    page.on('request', (request) => requests.push(request));
    await page.goto(`${server.url}/play/${infoHash}/0`);
    await page.waitForFunction(
      () => {
        const v = document.querySelector('video');
        return !!v && v.currentTime > 0.5 && v.readyState >= 2;
      },
      undefined,
      { timeout: 30_000, polling: 100 },
    );

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
    const streams = capsOf(`/stream/${infoHash}/0`);
    assert.ok(probes.length >= 1 && streams.length >= 1, `probes ${probes}, streams ${streams}`);
    for (const caps of [...probes, ...streams]) assert.equal(caps, supported.join(','));

    const response = await requests.find((r) => r.url().includes('/stream/'))?.response();
    const expected = supported.includes('hevc') ? 'remux' : 'transcode';
    assert.equal(response?.headers()['x-stream-mode'], expected, `caps=${supported.join(',')}`);
  });
});
