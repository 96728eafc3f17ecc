import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capsFrom } from '../../src/web/caps.js';
import {
  embeddedSubtitleUrl,
  parsePlayerPath,
  playerPath,
  playlistUrl,
  probePath,
  streamUrl,
  subtitleFileUrl,
} from '../../src/web/urls.js';

const h = '0123456789abcdef0123456789abcdef01234567';

describe('web urls', () => {
  it('builds a bare stream URL and adds only the options given', () => {
    assert.equal(streamUrl(h, 3), `/stream/${h}/3`);
    assert.equal(streamUrl(h, 3, { t: 0, audio: null, token: null }), `/stream/${h}/3`);
    assert.equal(
      streamUrl(h, 0, { t: 12.34567, audio: 1, mode: 'remux' }),
      `/stream/${h}/0?mode=remux&t=12.346&audio=1`,
    );
  });

  it('sends caps when given, even empty (the baseline client), and leaves it out when not', () => {
    assert.equal(streamUrl(h, 0, { caps: 'hevc,opus' }), `/stream/${h}/0?caps=hevc%2Copus`);
    assert.equal(streamUrl(h, 0, { caps: '', t: 2 }), `/stream/${h}/0?t=2&caps=`);
    assert.equal(probePath(h, 1, 'flac'), `/api/torrents/${h}/files/1/probe?caps=flac`);
    assert.equal(probePath(h, 1, ''), `/api/torrents/${h}/files/1/probe?caps=`);
    assert.equal(probePath(h, 1), `/api/torrents/${h}/files/1/probe`);
  });

  it('lists the caps words a browser accepts, in a fixed order', () => {
    const accepted = new Set(['video/mp4; codecs="opus"', 'video/mp4; codecs="hvc1.1.6.L93.B0"']);
    assert.equal(
      capsFrom((type) => accepted.has(type)),
      'hevc,opus',
    );
    assert.equal(
      capsFrom(() => false),
      '',
    );
  });

  it('carries the token as a query parameter, escaped', () => {
    assert.equal(streamUrl(h, 1, { token: 'a b&c' }), `/stream/${h}/1?token=a+b%26c`);
    assert.equal(playlistUrl(h, 'tok'), `/playlist/${h}.m3u?token=tok`);
    assert.equal(playerPath(h, 2, 'tok'), `/play/${h}/2?token=tok`);
  });

  it('builds subtitle URLs with the stream start', () => {
    assert.equal(embeddedSubtitleUrl(h, 0, 3, 30), `/subtitles/${h}/0.vtt?stream=3&t=30`);
    assert.equal(embeddedSubtitleUrl(h, 0, 0), `/subtitles/${h}/0.vtt?stream=0`);
    assert.equal(subtitleFileUrl(h, 5, 0, 'x'), `/subtitles/${h}/5.vtt?token=x`);
  });

  it('parses the player route and rejects anything else', () => {
    assert.deepEqual(parsePlayerPath(`/play/${h}/7`), { infoHash: h, index: 7 });
    assert.deepEqual(parsePlayerPath(`/play/${h}/7/`), { infoHash: h, index: 7 });
    assert.equal(parsePlayerPath('/'), null);
    assert.equal(parsePlayerPath(`/play/${h}`), null);
    assert.equal(parsePlayerPath(`/play/${h}/x`), null);
    assert.equal(parsePlayerPath('/play/../etc/1'), null);
  });
});
