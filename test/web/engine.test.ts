/** Which way a file plays for each plan and browser (engine.ts), and the HLS helpers that need no browser. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseEngine, type EngineInputs, mayUseHlsJs, seeksInPlace } from '../../src/web/player/engine.js';
import { describeHlsError } from '../../src/web/player/hls-playback.js';
import { hlsUrl } from '../../src/web/urls.js';

const chromium = { nativeHls: true, mediaSource: true, managedMediaSource: false };
const firefox = { nativeHls: false, mediaSource: true, managedMediaSource: false };
const safari = { nativeHls: true, mediaSource: true, managedMediaSource: true };
const oldIos = { nativeHls: true, mediaSource: false, managedMediaSource: false };
const bare = { nativeHls: false, mediaSource: false, managedMediaSource: false };

const base: EngineInputs = { mode: 'remux', forced: false, hlsFailed: false, hlsJs: true, ...firefox };
const choose = (c: Partial<EngineInputs>) => chooseEngine({ ...base, ...c });

describe('the playback engine', () => {
  it('plays a direct file directly in every browser, whatever hls.js says', () => {
    for (const browser of [chromium, firefox, safari, oldIos, bare]) {
      for (const hlsJs of [true, false, undefined]) {
        assert.equal(choose({ mode: 'direct', ...browser, hlsJs }), 'direct');
      }
    }
  });

  it('plays remux and transcode through hls.js where the browser has MediaSource and no Safari HLS', () => {
    for (const mode of ['remux', 'transcode'] as const) {
      assert.equal(choose({ mode, ...firefox }), 'hls.js');
      // Chromium answers "maybe" for HLS but stalls on some streams: hls.js is the one to trust there.
      assert.equal(choose({ mode, ...chromium }), 'hls.js');
    }
  });

  it('plays HLS natively in Safari (ManagedMediaSource) and where there is no MediaSource (iOS before 17)', () => {
    for (const hlsJs of [true, false, undefined]) {
      assert.equal(choose({ ...safari, hlsJs }), 'native-hls');
      assert.equal(choose({ ...oldIos, hlsJs }), 'native-hls');
    }
  });

  it('waits for hls.js to load before choosing, where it would be the way', () => {
    assert.equal(choose({ ...firefox, hlsJs: undefined }), 'pending');
    assert.equal(choose({ ...chromium, hlsJs: undefined }), 'pending');
    assert.equal(mayUseHlsJs(firefox), true);
    assert.equal(mayUseHlsJs(chromium), true);
    assert.equal(mayUseHlsJs(safari), false);
    assert.equal(mayUseHlsJs(bare), false);
  });

  it('falls back when hls.js is unsupported or did not load: native HLS if any, else the progressive stream', () => {
    assert.equal(choose({ ...firefox, hlsJs: false }), 'progressive');
    assert.equal(choose({ ...chromium, hlsJs: false }), 'native-hls');
    assert.equal(choose({ ...bare, hlsJs: undefined }), 'progressive');
  });

  it('plays the progressive stream once HLS failed here, and for a forced mode (only /stream takes mode=)', () => {
    for (const browser of [chromium, firefox, safari, oldIos]) {
      assert.equal(choose({ ...browser, hlsFailed: true }), 'progressive');
      assert.equal(choose({ ...browser, mode: 'transcode', forced: true }), 'progressive');
    }
  });

  it('seeks by currentTime on every engine but the progressive stream', () => {
    assert.deepEqual(
      (['direct', 'native-hls', 'hls.js', 'pending', 'progressive'] as const).map(seeksInPlace),
      [true, true, true, true, false],
    );
  });
});

describe('HLS helpers', () => {
  const h = '0123456789abcdef0123456789abcdef01234567';

  it('builds the master playlist URL, or keeps the path of the one the API gives', () => {
    assert.equal(hlsUrl(h, 2), `/hls/${h}/2/master.m3u8`);
    assert.equal(hlsUrl(h, 0, { caps: '', audio: null }), `/hls/${h}/0/master.m3u8?caps=`);
    assert.equal(
      hlsUrl(h, 1, { audio: 1, caps: 'hevc,ac3', token: 't k' }),
      `/hls/${h}/1/master.m3u8?audio=1&caps=hevc%2Cac3&token=t+k`,
    );
    assert.equal(
      hlsUrl(h, 1, { given: `http://192.0.2.7:8977/hls/${h}/1/master.m3u8`, caps: '' }),
      `/hls/${h}/1/master.m3u8?caps=`,
    );
  });

  it('says what an hls.js error was: the HTTP status when there is one', () => {
    assert.equal(
      describeHlsError({ details: 'manifestLoadError', response: { code: 502 } }),
      'HTTP 502, FFmpeg failed',
    );
    assert.equal(
      describeHlsError({ details: 'manifestLoadError', response: { code: 503 } }),
      'HTTP 503, the server is busy',
    );
    assert.equal(describeHlsError({ details: 'levelLoadError', response: { code: 500 } }), 'HTTP 500');
    assert.equal(describeHlsError({ details: 'bufferAppendError' }), 'bufferAppendError');
  });
});
