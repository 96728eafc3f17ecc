import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCaps } from '../../../src/stream/client-caps.js';
import { HlsPlanError, planHls, renditionOf, wantsKeyframes } from '../../../src/stream/hls/hls-plan.js';
import type { KeyframeIndex } from '../../../src/stream/keyframes/index.js';
import type { MediaInfo } from '../../../src/stream/media-info.js';
import { PlanError } from '../../../src/stream/plan.js';
import { fakeInfo, fakeStream } from '../fake-media.js';

/** A 40 s file of `container` holding the given streams (video 1280x720 at 24 fps unless said). */
function file(container: string, ...streams: MediaInfo['streams']): MediaInfo {
  return { ...fakeInfo(container, streams), duration: 40 };
}

const h264 = (extra = {}) =>
  fakeStream(0, 'video', 'h264', {
    width: 1280,
    height: 720,
    frameRate: 24,
    profile: 'High',
    level: 31,
    ...extra,
  });
const aac = (index = 1, extra = {}) =>
  fakeStream(index, 'audio', 'aac', { channels: 2, profile: 'LC', ...extra });
/** Keyframes every `gop` seconds over 40 s. */
const keyframes = (gop = 2, end = 40): KeyframeIndex => ({
  track: 1,
  times: Array.from({ length: Math.ceil(end / gop) }, (_, i) => i * gop),
  duration: end,
});

describe('planHls: video', () => {
  it('copies H.264 the client decodes, cut at keyframes, with the probe’s profile and level', () => {
    const plan = planHls(file('matroska', h264(), aac()), { keyframes: keyframes(), caps: parseCaps('') });
    assert.deepEqual(plan.video, {
      id: 'video-copy',
      stream: 0,
      codecs: 'avc1.64001F',
      width: 1280,
      height: 720,
      frameRate: 24,
    });
    // A 2 s first segment (a quicker start), then every 4 s.
    assert.deepEqual(plan.times.starts, [0, 2, 6, 10, 14, 18, 22, 26, 30, 34]);
    assert.equal(plan.reason, '');
  });

  it('encodes to H.264 on fixed cuts (2 s, then 4 s) without a keyframe index (MPEG-TS)', () => {
    const info = { ...file('mpegts', h264(), aac()), duration: 10.5, startTime: 1.4 };
    const plan = planHls(info, { keyframes: null });
    assert.equal(plan.video?.id, 'video-h264');
    assert.equal(plan.video?.codecs, 'avc1.64001F', 'High at the level 720p24 needs');
    assert.equal(plan.video?.level, 31);
    assert.deepEqual(plan.times.starts, [0, 2, 6]);
    assert.deepEqual(plan.times.durations, [2, 4, 4.5], 'a sub-second tail joins the last segment');
    assert.equal(plan.startTime, 1.4);
    assert.match(plan.reason, /no keyframe index/);
  });

  it('encodes when keyframes are more than 6 s apart (TARGETDURATION stays ≤ 6)', () => {
    const plan = planHls(file('matroska', h264(), aac()), { keyframes: keyframes(8) });
    assert.equal(plan.video?.id, 'video-h264');
    assert.match(plan.reason, /more than 6 s apart/);
    assert.ok(plan.times.durations.every((d) => d <= 6));
    // Keyframes 5 s apart can still be cut on, one GOP a segment.
    const five = planHls(file('matroska', h264(), aac()), { keyframes: keyframes(5) });
    assert.equal(five.video?.id, 'video-copy');
    assert.deepEqual(five.times.starts, [0, 5, 10, 15, 20, 25, 30, 35]);
  });

  it('copies HEVC as hvc1 only for a client with hevc, and 10-bit H.264 only with h264-10bit', () => {
    const hevc = fakeStream(0, 'video', 'hevc', { width: 1920, height: 1080, profile: 'Main', level: 120 });
    const withHevc = planHls(file('matroska', hevc, aac()), {
      keyframes: keyframes(),
      caps: parseCaps('hevc'),
    });
    assert.equal(withHevc.video?.id, 'video-copy');
    assert.equal(withHevc.video?.tag, 'hvc1');
    assert.equal(withHevc.video?.codecs, 'hvc1.1.6.L120.90');
    const without = planHls(file('matroska', hevc, aac()), { keyframes: keyframes(), caps: parseCaps('') });
    assert.equal(without.video?.id, 'video-h264');
    assert.equal(without.video?.tag, undefined);
    assert.match(without.reason, /does not decode hevc/);

    const high10 = h264({ bitDepth: 10, profile: 'High 10' });
    const baseline = planHls(file('matroska', high10, aac()), {
      keyframes: keyframes(),
      caps: parseCaps(''),
    });
    assert.equal(baseline.video?.id, 'video-h264');
    const tenBit = planHls(file('matroska', high10, aac()), {
      keyframes: keyframes(),
      caps: parseCaps('h264-10bit'),
    });
    assert.equal(tenBit.video?.id, 'video-copy');
  });

  it('encodes what copying spoils: interlaced video (deinterlaced), H.264 with B-frames in AVI', () => {
    const interlaced = planHls(file('matroska', h264({ interlaced: 'tt' }), aac()), {
      keyframes: keyframes(),
    });
    assert.equal(interlaced.video?.id, 'video-h264');
    assert.equal(interlaced.video?.deinterlace, true);
    const avi = planHls(file('avi', h264({ hasBFrames: true }), aac()), { keyframes: keyframes() });
    assert.equal(avi.video?.id, 'video-h264');
    assert.equal(avi.video?.deinterlace, undefined);
  });

  it('wants a keyframe index only when the video could be copied', () => {
    assert.equal(wantsKeyframes(file('matroska', h264())), true);
    assert.equal(wantsKeyframes(file('matroska', h264({ interlaced: 'tt' }))), false);
    const mpeg4 = fakeStream(0, 'video', 'mpeg4', { width: 640, height: 480 });
    assert.equal(wantsKeyframes(file('avi', mpeg4)), false);
    assert.equal(wantsKeyframes(file('matroska', aac(0))), false);
  });

  it('ignores a cover picture: an audio file is audio-only, on fixed cuts', () => {
    const cover = fakeStream(1, 'video', 'mjpeg', { attachedPic: true, width: 500, height: 500 });
    const plan = planHls(file('mp3', fakeStream(0, 'audio', 'mp3', { channels: 2 }), cover), {
      keyframes: null,
    });
    assert.equal(plan.video, null);
    assert.deepEqual(plan.times.starts.slice(0, 3), [0, 2, 6]);
    assert.deepEqual(
      plan.audios.map((a) => a.id),
      ['audio0-aac'],
    );
  });

  it('415 for a file without a duration (no complete playlist can be made)', () => {
    const info = { ...file('matroska', h264(), aac()), duration: null };
    assert.throws(() => planHls(info, { keyframes: null }), HlsPlanError);
    assert.equal(new HlsPlanError('x').statusCode, 415);
  });
});

describe('planHls: audio', () => {
  it('copies AAC (through aac_adtstoasc), encodes MP3 to AAC: fMP4 HLS takes no MP3', () => {
    const info = file(
      'matroska',
      h264(),
      aac(1, { language: 'eng' }),
      fakeStream(2, 'audio', 'mp3', { channels: 2, language: 'fre', title: 'Commentaire' }),
    );
    const plan = planHls(info, { keyframes: keyframes() });
    assert.deepEqual(
      plan.audios.map((a) => [a.id, a.stream, a.action, a.codecs, a.adtsToAsc ?? false]),
      [
        ['audio0-copy', 1, 'copy', 'mp4a.40.2', true],
        ['audio1-aac', 2, 'aac', 'mp4a.40.2', false],
      ],
    );
    assert.deepEqual(
      plan.audios.map((a) => [a.position, a.language, a.name]),
      [
        [0, 'eng', 'eng'],
        [1, 'fre', 'Commentaire'],
      ],
    );
  });

  it('copies AC-3, E-AC-3, Opus and FLAC only for clients that decode them; encodes 5.1 down to stereo', () => {
    const streams = ['ac3', 'eac3', 'opus', 'flac'].map((codec, i) =>
      fakeStream(i + 1, 'audio', codec, { channels: 6 }),
    );
    const baseline = planHls(file('matroska', h264(), ...streams), {
      keyframes: keyframes(),
      caps: parseCaps(''),
    });
    assert.deepEqual(
      baseline.audios.map((a) => [a.id, a.codecs, a.channels]),
      [
        ['audio0-aac', 'mp4a.40.2', 2],
        ['audio1-aac', 'mp4a.40.2', 2],
        ['audio2-aac', 'mp4a.40.2', 2],
        ['audio3-aac', 'mp4a.40.2', 2],
      ],
    );
    const all = planHls(file('matroska', h264(), ...streams), {
      keyframes: keyframes(),
      caps: parseCaps('ac3,eac3,opus,flac'),
    });
    assert.deepEqual(
      all.audios.map((a) => [a.id, a.codecs, a.channels]),
      [
        ['audio0-copy', 'ac-3', 6],
        ['audio1-copy', 'ec-3', 6],
        ['audio2-copy', 'Opus', 6],
        ['audio3-copy', 'fLaC', 6],
      ],
    );
  });

  it('one default audio: the one asked for, else the file’s default, else the first; 400 past the last', () => {
    const info = file('matroska', h264(), aac(1), aac(2, { default: true }), aac(3));
    const defaults = (audio?: number) =>
      planHls(info, { keyframes: keyframes(), ...(audio === undefined ? {} : { audio }) }).audios.map(
        (a) => a.default,
      );
    assert.deepEqual(defaults(), [false, true, false]);
    assert.deepEqual(defaults(2), [false, false, true]);
    assert.deepEqual(
      planHls(file('matroska', h264(), aac(1), aac(2)), { keyframes: keyframes() }).audios.map(
        (a) => a.default,
      ),
      [true, false],
    );
    assert.throws(() => planHls(info, { keyframes: keyframes(), audio: 3 }), PlanError);
    // Unnamed streams are named by position.
    assert.deepEqual(
      planHls(info, { keyframes: keyframes() }).audios.map((a) => a.name),
      ['Audio 1', 'Audio 2', 'Audio 3'],
    );
  });

  it('renditionOf finds what a URL names in the plan, and nothing else', () => {
    const plan = planHls(file('matroska', h264(), aac()), { keyframes: keyframes() });
    assert.deepEqual(renditionOf(plan, 'video-copy'), { video: plan.video });
    assert.deepEqual(renditionOf(plan, 'audio0-copy'), { audio: plan.audios[0] });
    assert.equal(renditionOf(plan, 'video-h264'), null);
    assert.equal(renditionOf(plan, 'audio0-aac'), null);
    assert.equal(renditionOf(plan, 'audio1-copy'), null);
  });
});
