/**
 * A subtitle cue that is on screen must go when the stream it belongs to goes: after a seek (the new stream
 * brings a new track on its own clock) and after "Off". Checked in the text tracks and in what Chromium
 * paints (the cue boxes of the video's shadow DOM).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeTracksMedia } from '../helpers/media.js';
import { withPlayerPage } from '../helpers/player-page.js';
import { paintedCues } from './painted-cues.js';

const generous = { timeout: 30_000, polling: 100 };
// One long cue at the start, nothing at 20 s where the test seeks to.
const cues = [
  { start: 0, end: 8000, text: 'Early cue' },
  { start: 28_000, end: 29_000, text: 'Late cue' },
];

const player = withPlayerPage(() => makeTracksMedia({ seconds: 30, cues, name: 'tracks-clear-30s' }));

/** Active cue texts of every text track the video has. */
const activeCues = () =>
  player.page.evaluate(() =>
    Array.from(document.querySelector('video')?.textTracks ?? []).flatMap((t) =>
      Array.from(t.activeCues ?? [], (c) => (c as VTTCue).text),
    ),
  );

/** Opens the player, picks the subtitles, waits for the early cue on screen and pauses there. */
async function showEarlyCue(): Promise<void> {
  await player.page.goto(`${player.server.url}/play/${player.infoHash}/0`);
  await player.page.locator('#subtitle-menu').selectOption('s3');
  await player.page.waitForFunction(
    () => Array.from(document.querySelector('video')?.textTracks ?? []).some((t) => t.activeCues?.length),
    undefined,
    generous,
  );
  await player.page.locator('.controls button[aria-label=Pause]').click();
  assert.deepEqual(await activeCues(), ['Early cue']);
  assert.deepEqual(await paintedCues(player.page), ['Early cue']);
}

describe('a showing subtitle cue', () => {
  it('is gone after a seek restarts the stream', async () => {
    await showEarlyCue();
    await player.page.locator('.seek-input').evaluate((el: HTMLInputElement) => {
      el.value = '20';
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await player.page.waitForFunction(
      () => new URL(document.querySelector('video')?.src ?? '', location.href).searchParams.get('t') === '20',
      undefined,
      generous,
    );
    // The new stream's track is loaded (t=20 in its URL) and the video has a frame at 20 s.
    await player.page.waitForFunction(
      () => {
        const v = document.querySelector('video');
        const track = v?.querySelector('track');
        return !!v && v.readyState >= 2 && !!track?.src.includes('t=20') && track.readyState === 2;
      },
      undefined,
      generous,
    );
    assert.equal(await player.page.locator('video track').count(), 1);
    assert.deepEqual(await activeCues(), []);
    assert.deepEqual(await paintedCues(player.page), []);
  });

  it('is gone after the subtitles are turned off', async () => {
    await showEarlyCue();
    await player.page.locator('#subtitle-menu').selectOption('off');
    await player.page.waitForFunction(() => !document.querySelector('video track'), undefined, generous);
    assert.deepEqual(await activeCues(), []);
    assert.deepEqual(await paintedCues(player.page), []);
    assert.deepEqual(player.browser.pageErrors, []);
  });
});
