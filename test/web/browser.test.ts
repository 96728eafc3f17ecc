/**
 * The web UI in a real browser (Debian's Chromium, headless) against a real server, engine and loopback
 * swarm: add magnets through the form, see hostile names as text, play an MP4 directly, play an AVI through
 * FFmpeg and seek it with the page's own seek bar and keys. Screenshots go to test-artifacts/ on every run.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { TorrentEngine } from '../../src/torrent/index.js';
import { type BrowserSession, ensureWebBuilt, launchBrowser, repoRoot, webRoot } from '../helpers/browser.js';
import { makeMedia } from '../helpers/media.js';
import { childProcesses, ffmpegChildrenGone } from '../helpers/processes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Seeder, startSeeder, startTestEngine } from '../helpers/swarm.js';

const torrentName = 'Streamtide sample';
const mp4Name = 'Test pattern (H.264).mp4';
const aviName = 'Test pattern (XviD).avi';
/**
 * Markup in names. `<>:"|?*` cannot be in a file name here: the swarm's seeder (fs-chunk-store) drops them
 * when it opens files, so it could not serve the file, and the engine rewrites them to `_` anyway. A folder,
 * i.e. the torrent's name, keeps them and reaches the UI as it is. The file name carries entities instead,
 * which an HTML sink would decode.
 */
const hostileFileName = "&lt;img src=x onerror=alert(1)&gt; &amp; it's.txt";
const hostileTorrentName = '<img src=x onerror=alert(document.domain)> "Sample" & <b>co<b>';

const artifacts = join(repoRoot, 'test-artifacts');
const generous = { timeout: 60_000 };
const playerPage = /\/play\/[0-9a-f]{40}\/\d+$/;

/** The player as the test reads it, in the page: the `<video>`, its stream's `t=`, and the UI's clock. */
interface PlayerView {
  played: number;
  error: string | null;
  src: string;
  mode: string | undefined;
  engine: string | undefined;
  /** The stream's `t=` (source time where it starts), 0 without one. */
  start: number;
  /** The clock's source time in whole seconds, or null without a clock (direct play). */
  clock: number | null;
  buffered: number[][];
  readyState: number;
  paused: boolean;
}

declare global {
  interface Window {
    readPlayer?: () => PlayerView | null;
    /** True when the player shows a media error or `condition` holds (for waits that fail fast on errors). */
    playerIs?: (condition: (view: PlayerView) => boolean) => boolean;
  }
}

/** Installed into every page before its scripts run (DevTools-injected, so the page's CSP does not apply). */
function installPlayerReader(): void {
  window.readPlayer = () => {
    const v = document.querySelector('video');
    if (!v) return null;
    const buffered: number[][] = [];
    for (let i = 0; i < v.buffered.length; i++) buffered.push([v.buffered.start(i), v.buffered.end(i)]);
    const clock = /^(\d+):(\d\d)/.exec(
      document.querySelector('[data-testid=clock]')?.textContent?.trim() ?? '',
    );
    return {
      played: v.currentTime,
      error: v.error ? `MediaError ${v.error.code}: ${v.error.message}` : null,
      src: v.src,
      mode: v.dataset.mode,
      engine: v.dataset.engine,
      start: Number(new URL(v.src || '/', location.href).searchParams.get('t') ?? 0),
      clock: clock ? Number(clock[1]) * 60 + Number(clock[2]) : null,
      buffered,
      readyState: v.readyState,
      paused: v.paused,
    };
  };
  window.playerIs = (condition) => {
    const view = window.readPlayer?.();
    return !!view && (view.error !== null || condition(view));
  };
}

let seeder: Seeder;
let hostileSeeder: Seeder;
let engine: TorrentEngine;
let server: TestServer;
let browser: BrowserSession;
let page: Page;
const temps: string[] = [];

async function player(): Promise<PlayerView> {
  const view = await page.evaluate(() => window.readPlayer?.() ?? null);
  assert.ok(view, 'no <video> on the page');
  return view;
}

/**
 * Waits for `condition(arg)`, run in the page (written as `(a) => window.playerIs!((v) => ...)` so that it
 * also ends on a media error), then asserts there was no error. A timeout reports what the page showed.
 */
async function waitPlayer(condition: (arg: number) => boolean, arg = 0): Promise<PlayerView> {
  await page.waitForFunction(condition, arg, { ...generous, polling: 100 }).catch(async (err: Error) => {
    const shown = await page.evaluate(() => ({
      player: window.readPlayer?.() ?? null,
      text: (document.querySelector('main')?.textContent ?? '').slice(0, 400),
    }));
    throw new Error(`${err.message}\nwaiting for ${condition}\npage: ${JSON.stringify(shown)}`);
  });
  const view = await player();
  assert.equal(view.error, null, `the video failed: ${JSON.stringify(view)}`);
  return view;
}

/** Waits (bounded: no event tells when a process is gone) until at most `n` FFmpeg children run. */
async function ffmpegCountAtMost(n: number, deadlineMs = 10_000): Promise<number> {
  const until = Date.now() + deadlineMs;
  while (childProcesses().length > n && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return childProcesses().length;
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/** Pastes a magnet into the home page's form and submits it. */
async function addThroughForm(magnet: string): Promise<void> {
  await page.getByLabel('Magnet link, info-hash, or http(s) URL of a .torrent').fill(magnet);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
}

const card = (name: string) =>
  page.locator('li.torrent', { has: page.getByRole('heading', { name, exact: true }) });

before(async () => {
  ensureWebBuilt();
  mkdirSync(artifacts, { recursive: true });
  const content = mkdtempSync(join(tmpdir(), 'streamtide-browser-content-'));
  const downloads = mkdtempSync(join(tmpdir(), 'streamtide-browser-dl-'));
  temps.push(content, downloads);
  const folder = join(content, torrentName);
  const hostileFolder = join(content, hostileTorrentName);
  mkdirSync(folder);
  mkdirSync(hostileFolder);
  const [avi, mp4] = await Promise.all([
    makeMedia('avi-mpeg4-mp3', { seconds: 12, size: '320x240' }),
    makeMedia('mp4', { seconds: 8, size: '320x240' }),
  ]);
  copyFileSync(avi, join(folder, aviName));
  copyFileSync(mp4, join(folder, mp4Name));
  writeFileSync(join(folder, hostileFileName), 'a file whose name is markup\n');
  writeFileSync(join(hostileFolder, 'notes.txt'), 'a torrent whose name is markup\n');
  seeder = await startSeeder(folder);
  hostileSeeder = await startSeeder(hostileFolder);
  engine = await startTestEngine(downloads, { utp: false });
  server = await startTestServer({ torrents: engine, webRoot });
  browser = await launchBrowser();
  await browser.context.addInitScript(installPlayerReader);
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await server?.close();
  await engine?.destroy();
  await seeder?.close();
  await hostileSeeder?.close();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('the web UI in Chromium', () => {
  it('adds magnets from the form and shows hostile names as plain text', async () => {
    await page.goto(`${server.url}/`);
    await addThroughForm(seeder.magnet);
    const sample = card(torrentName);
    await sample
      .locator('.file-name')
      .nth(2)
      .waitFor({ state: 'attached', ...generous });
    assert.deepEqual(await sample.locator('.file-name').allTextContents(), [
      `${torrentName}/${mp4Name}`,
      `${torrentName}/${aviName}`,
      `${torrentName}/${hostileFileName}`,
    ]);
    // The whole download, so the screenshot shows a finished torrent.
    await sample.locator('.ok', { hasText: 'complete' }).waitFor(generous);
    await screenshot('home');

    await addThroughForm(hostileSeeder.magnet);
    const hostile = card(hostileTorrentName);
    await hostile.locator('.file-name').waitFor({ state: 'attached', ...generous });
    assert.equal(await hostile.locator('h3').textContent(), hostileTorrentName);
    assert.equal(await page.locator('.add [role=status]').textContent(), `Added ${hostileTorrentName}.`);
    assert.match((await hostile.locator('.file-name').textContent()) ?? '', /\/notes\.txt$/);
    await sample.getByText('1 other file').click();
    assert.ok(await sample.getByText(hostileFileName).isVisible());
    // Parsed as HTML, the names would have made <img>/<b> elements, and "&amp;" would read "&".
    assert.equal(await page.locator('#app img, #app b').count(), 0);
    assert.deepEqual(browser.dialogs, []);
    await screenshot('home-hostile-names');
  });

  it('plays the MP4 directly from its Play link', async () => {
    await card(torrentName)
      .getByRole('link', { name: `Play ${mp4Name}` })
      .click();
    await page.waitForURL(playerPage);
    const view = await waitPlayer(() => window.playerIs!((v) => v.played > 2));
    assert.equal(view.mode, 'direct');
    assert.doesNotMatch(view.src, /[?&](t|mode)=/);
    assert.equal(view.clock, null, 'direct play uses the native controls');
    assert.match((await page.getByTestId('plan').textContent()) ?? '', /Direct play/);
    await screenshot('player-direct');
  });

  it('plays the AVI through FFmpeg over HLS, and seeks it with the seek bar and the arrow keys', async (t) => {
    await page.getByRole('link', { name: '← All torrents' }).click();
    await card(torrentName)
      .getByRole('link', { name: `Play ${aviName}` })
      .click();
    await page.waitForURL(playerPage);
    const first = await waitPlayer(() => window.playerIs!((v) => v.played > 2));
    assert.equal(first.mode, 'transcode');
    assert.equal(first.engine, 'hls.js');
    assert.match((await page.getByTestId('plan').textContent()) ?? '', /Transcode/);

    const seekBar = page.getByRole('slider', { name: 'Seek' });
    const duration = Number(await seekBar.getAttribute('max'));
    assert.ok(duration > 11 && duration < 13, `duration ${duration}`);
    const middle = Math.round(duration / 2);
    await seekBar.fill(String(middle));

    // HLS runs on the file's clock: the element's own time is the source time, which the clock shows.
    const seeked = await waitPlayer(
      (at) => window.playerIs!((v) => v.played >= at && v.readyState >= 2),
      middle,
    );
    t.diagnostic(`after the seek: ${JSON.stringify(seeked)}`);
    assert.ok(seeked.played < middle + 2, JSON.stringify(seeked));
    // And it plays on from there, the clock with it.
    const on = await waitPlayer(
      (at) => window.playerIs!((v) => v.played > at + 1.5 && v.clock !== null && v.clock >= at + 1),
      middle,
    );
    assert.ok(on.clock !== null && Math.abs(on.clock - on.played) <= 1, JSON.stringify(on));
    await screenshot('player-transcode');

    // ← goes back 10 s (the slider still has focus: the page's shortcut wins over the slider's own step),
    // here to the beginning of the file.
    await page.keyboard.press('ArrowLeft');
    const back = await waitPlayer(
      (at) => window.playerIs!((v) => v.played < at - 3 && v.readyState >= 2),
      middle,
    );
    assert.ok(back.clock !== null && back.clock < middle, JSON.stringify(back));
    assert.equal(back.start, 0);
    t.diagnostic(`FFmpeg children after the seeks: ${childProcesses().length}`);
    // The seeks added no FFmpeg of their own: one encoder per rendition (video, audio) at most.
    assert.ok((await ffmpegCountAtMost(2)) <= 2, `FFmpeg processes: ${childProcesses()}`);
    assert.deepEqual(browser.dialogs, []);
    assert.deepEqual(browser.pageErrors, []);
  });

  it('leaves no FFmpeg running once the browser is gone', async () => {
    await browser.close();
    assert.deepEqual(await ffmpegChildrenGone(10_000), []);
  });
});
