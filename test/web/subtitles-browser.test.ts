/**
 * Subtitles in a real browser (Debian's Chromium, headless): the player's subtitle menu lists the MKV's
 * SubRip stream (and its PGS stream as unsupported); choosing it loads our WebVTT into a `<track>` whose cues
 * reach `video.textTracks`; another audio track (an HLS rendition) keeps the subtitles.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeTracksMedia, tracksMediaCues } from '../helpers/media.js';
import { withPlayerPage } from '../helpers/player-page.js';
import { ffmpegChildrenGone } from '../helpers/processes.js';

const generous = 30_000;

// A local file: the track endpoints are the same for torrents, and the swarm is tested elsewhere.
const player = withPlayerPage(() => makeTracksMedia({ seconds: 6 }));

interface CueInfo {
  text: string;
  start: number;
  end: number;
}

/** The cues of the video's first text track, once it has `count` of them. */
async function trackCues(count: number): Promise<{ cues: CueInfo[]; mode: string; src: string }> {
  await player.page.waitForFunction(
    (n) => {
      const track = document.querySelector('video')?.textTracks[0];
      return !!track?.cues && track.cues.length >= n;
    },
    count,
    { timeout: generous, polling: 100 },
  );
  return player.page.evaluate(() => {
    const video = document.querySelector('video')!;
    const track = video.textTracks[0]!;
    const cues = Array.from(track.cues ?? [], (cue) => ({
      text: (cue as VTTCue).text,
      start: cue.startTime,
      end: cue.endTime,
    }));
    return { cues, mode: track.mode, src: video.querySelector('track')?.src ?? '' };
  });
}

describe('subtitles in the player', () => {
  it('shows the embedded SubRip stream chosen in the menu as cues of a text track', async () => {
    await player.page.goto(`${player.server.url}/play/${player.infoHash}/0`);
    const menu = player.page.locator('#subtitle-menu');
    await menu.waitFor({ timeout: generous });
    const options = await menu.locator('option').evaluateAll((nodes) =>
      nodes.map((n) => ({
        value: (n as HTMLOptionElement).value,
        disabled: (n as HTMLOptionElement).disabled,
      })),
    );
    assert.deepEqual(options, [
      { value: 'off', disabled: false },
      { value: 's3', disabled: false },
      { value: 's4', disabled: true },
    ]);
    assert.equal(await player.page.evaluate(() => document.querySelector('video')?.textTracks.length), 0);

    await menu.selectOption('s3');
    const { cues, mode, src } = await trackCues(tracksMediaCues.length);
    assert.match(src, new RegExp(`/subtitles/${player.infoHash}/0\\.vtt\\?stream=3`));
    assert.equal(mode, 'showing');
    assert.deepEqual(
      cues.map((c) => c.text),
      tracksMediaCues.map((c) => c.text),
    );
    for (const [i, cue] of cues.entries()) {
      // Within the AAC priming shift the muxer applies (about 21 ms).
      assert.ok(Math.abs(cue.start - tracksMediaCues[i]!.start / 1000) < 0.05, JSON.stringify(cue));
      assert.ok(Math.abs(cue.end - tracksMediaCues[i]!.end / 1000) < 0.05, JSON.stringify(cue));
    }
  });

  it('keeps the subtitles when another audio track plays', async () => {
    const switched = player.page.waitForRequest((r) => /\/audio1-[\w-]+\//.test(r.url()), {
      timeout: generous,
    });
    await player.page.locator('#audio-menu').selectOption('1');
    await switched;
    const { cues } = await trackCues(tracksMediaCues.length);
    assert.equal(cues[0]?.text, 'First cue');
    assert.deepEqual(player.browser.pageErrors, []);
  });

  it('leaves no FFmpeg running once the browser is gone', async () => {
    await player.browser.close();
    assert.deepEqual(await ffmpegChildrenGone(10_000), []);
  });
});
