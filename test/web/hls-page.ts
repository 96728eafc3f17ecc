/**
 * What the HLS browser tests read of a player page: new pages that record their requests and errors, the
 * video's state (with the brightness of its picture), waits for playback, and a media playlist's segments.
 */
import type { Page } from 'playwright-core';
import type { BrowserSession } from '../helpers/browser.js';

export const generous = { timeout: 60_000, polling: 100 };

/** Uncaught errors of the pages opened by openPage. */
export const pageErrors: string[] = [];

/** A new page of the browser, with the paths (and queries) of its requests to `origin`, in order. */
export async function openPage(
  browser: BrowserSession,
  origin: string,
): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === origin) requests.push(url.pathname + url.search);
  });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return { page, requests };
}

export interface View {
  engine?: string;
  mode?: string;
  time: number;
  readyState: number;
  paused: boolean;
  error: string | null;
  frames: number;
  /** Mean brightness of the picture now (testsrc2's is far from black). */
  brightness: number;
  clock: string;
  fallback: string | null;
}

export const read = (page: Page): Promise<View> =>
  page.evaluate(() => {
    const v = document.querySelector('video')!;
    const c = document.createElement('canvas');
    c.width = 32;
    c.height = 24;
    const g = c.getContext('2d')!;
    g.drawImage(v, 0, 0, c.width, c.height);
    const data = g.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += data[i]! + data[i + 1]! + data[i + 2]!;
    return {
      engine: v.dataset.engine,
      mode: v.dataset.mode,
      time: v.currentTime,
      readyState: v.readyState,
      paused: v.paused,
      error: v.error ? `MediaError ${v.error.code}` : null,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      brightness: sum / (data.length / 4) / 3,
      clock: document.querySelector('[data-testid=clock]')?.textContent?.trim() ?? '',
      fallback: document.querySelector('[data-testid=hls-fallback]')?.textContent?.trim() ?? null,
    };
  });

/** Waits until the video plays past `seconds` (or shows an error), and returns what it shows. */
export async function playsPast(page: Page, seconds: number): Promise<View> {
  await page.waitForFunction(
    (s) => {
      const v = document.querySelector('video');
      return !!v && (v.error !== null || (!v.paused && v.readyState >= 2 && v.currentTime > s));
    },
    seconds,
    generous,
  );
  return read(page);
}

/** Start times of the segments of the media playlist at `url` (read from the server, as the page got it). */
export async function segmentStarts(url: string): Promise<number[]> {
  const text = await (await fetch(url)).text();
  const starts: number[] = [];
  let at = 0;
  for (const match of text.matchAll(/^#EXTINF:([\d.]+)/gm)) {
    starts.push(at);
    at += Number(match[1]);
  }
  return starts;
}

export const seekBarTo = (page: Page, seconds: number) =>
  page.locator('.seek-input').evaluate((el: HTMLInputElement, s: number) => {
    el.value = String(s);
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, seconds);
