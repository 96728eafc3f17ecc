import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planStream } from '../../src/stream/plan.js';
import { fakeInfo as info, fakeStream as s } from './fake-media.js';

test('direct for browser-ready containers, with the right Content-Type', () => {
  assert.deepEqual(
    [
      planStream(info('mp4', [s(0, 'video', 'h264'), s(1, 'audio', 'aac')])),
      planStream(info('mp4', [s(0, 'video', 'h264'), s(1, 'audio', 'aac')], true)),
      planStream(info('webm', [s(0, 'video', 'vp8'), s(1, 'audio', 'vorbis')])),
      planStream(info('mp3', [s(0, 'audio', 'mp3'), s(1, 'video', 'mjpeg', { attachedPic: true })])),
      planStream(info('flac', [s(0, 'audio', 'flac')])),
    ].map((p) => [p.mode, p.mime, p.input.kind === 'seekable']),
    [
      ['direct', 'video/mp4', false],
      ['direct', 'video/mp4', false],
      ['direct', 'video/webm', false],
      ['direct', 'audio/mpeg', false],
      ['direct', 'audio/flac', false],
    ],
  );
});

test('remux when every chosen stream is a browser codec, transcode when any is not (only that one)', () => {
  const remux = planStream(info('matroska', [s(0, 'video', 'h264'), s(1, 'audio', 'opus')]));
  assert.deepEqual(
    [remux.mode, remux.video, remux.audio, remux.mime],
    ['remux', { stream: 0, action: 'copy' }, { stream: 1, action: 'copy' }, 'video/mp4'],
  );
  const ac3 = planStream(info('matroska', [s(0, 'video', 'h264'), s(1, 'audio', 'ac3')]));
  assert.deepEqual([ac3.mode, ac3.video?.action, ac3.audio?.action], ['transcode', 'copy', 'aac']);
  const hevc = planStream(info('mp4', [s(0, 'video', 'hevc'), s(1, 'audio', 'aac')], true));
  assert.deepEqual(
    [hevc.mode, hevc.video?.action, hevc.audio?.action, hevc.input.kind === 'seekable'],
    ['transcode', 'h264', 'copy', true],
  );
  const webmInMkv = planStream(info('matroska', [s(0, 'video', 'vp8'), s(1, 'audio', 'vorbis')]));
  assert.deepEqual([webmInMkv.video?.action, webmInMkv.audio?.action], ['h264', 'aac']);
});

test('audio choice: default-flagged, else first, else the asked index among audio streams', () => {
  const streams = [
    s(0, 'video', 'h264'),
    s(1, 'subtitle', 'subrip'),
    s(2, 'audio', 'aac', { language: 'eng' }),
    s(3, 'audio', 'ac3', { default: true }),
  ];
  assert.equal(planStream(info('matroska', streams)).audio?.stream, 3);
  assert.equal(planStream(info('matroska', streams.slice(0, 3))).audio?.stream, 2);
  const asked = planStream(info('matroska', streams), { audio: 0 });
  assert.deepEqual([asked.audio, asked.mode], [{ stream: 2, action: 'copy', adtsToAsc: true }, 'remux']);
  assert.throws(() => planStream(info('matroska', streams), { audio: 2 }), RangeError);
  // The route needs no check of its own: the error carries its HTTP status.
  assert.throws(() => planStream(info('matroska', streams), { audio: 2 }), { statusCode: 400 });
});

test('an MP4 with a non-default audio track asked for goes through FFmpeg (direct cannot pick tracks)', () => {
  const streams = [s(0, 'video', 'h264'), s(1, 'audio', 'aac', { default: true }), s(2, 'audio', 'aac')];
  assert.equal(planStream(info('mp4', streams), { audio: 0 }).mode, 'direct');
  const second = planStream(info('mp4', streams), { audio: 1 });
  assert.deepEqual([second.mode, second.audio?.stream], ['remux', 2]);
});

test('forced modes', () => {
  const avi = info('avi', [s(0, 'video', 'mpeg4'), s(1, 'audio', 'mp3')]);
  const direct = planStream(avi, { mode: 'direct' });
  assert.deepEqual([direct.mode, direct.mime], ['direct', 'video/x-msvideo']);
  // Forced remux copies what MP4 can carry, even if a browser may not decode it.
  const remux = planStream(info('matroska', [s(0, 'video', 'hevc'), s(1, 'audio', 'ac3')]), {
    mode: 'remux',
  });
  assert.deepEqual([remux.mode, remux.video?.action, remux.audio?.action], ['remux', 'copy', 'copy']);
  // ...and re-encodes only what it cannot carry, then honestly reports a transcode.
  const wmv = planStream(info('asf', [s(0, 'video', 'wmv3'), s(1, 'audio', 'wmav2')]), { mode: 'remux' });
  assert.deepEqual([wmv.mode, wmv.video?.action, wmv.audio?.action], ['transcode', 'h264', 'aac']);
  const transcode = planStream(info('mp4', [s(0, 'video', 'h264'), s(1, 'audio', 'aac')]), {
    mode: 'transcode',
  });
  assert.deepEqual(
    [transcode.mode, transcode.video?.action, transcode.audio?.action],
    ['transcode', 'h264', 'aac'],
  );
  const moovEnd = planStream(info('mp4', [s(0, 'video', 'h264')], true), { mode: 'remux' });
  assert.deepEqual([moovEnd.mode, moovEnd.input.kind === 'seekable', moovEnd.audio], ['remux', true, null]);
});

test('copied AAC goes through aac_adtstoasc (TS and some AVIs frame it with ADTS, which MP4 refuses)', () => {
  const ts = planStream(info('mpegts', [s(0, 'video', 'h264'), s(1, 'audio', 'aac')]));
  assert.deepEqual([ts.mode, ts.audio], ['remux', { stream: 1, action: 'copy', adtsToAsc: true }]);
  const mp3 = planStream(info('mpegts', [s(0, 'video', 'h264'), s(1, 'audio', 'mp3')]));
  assert.equal(mp3.audio?.adtsToAsc, undefined);
  const ac3 = planStream(info('mpegts', [s(0, 'video', 'h264'), s(1, 'audio', 'ac3')]));
  assert.equal(ac3.audio?.adtsToAsc, undefined, 're-encoded AAC needs no filter');
});

test('H.264 is re-encoded when a copy would play badly: B-frames in AVI, interlaced anywhere', () => {
  const bframes = s(0, 'video', 'h264', { hasBFrames: true });
  const avi = planStream(info('avi', [bframes, s(1, 'audio', 'mp3')]));
  assert.deepEqual([avi.mode, avi.video?.action, avi.video?.deinterlace], ['transcode', 'h264', undefined]);
  assert.equal(planStream(info('matroska', [bframes])).video?.action, 'copy', 'MKV has pts');
  assert.equal(planStream(info('avi', [s(0, 'video', 'h264')])).video?.action, 'copy');
  const interlaced = s(0, 'video', 'h264', { interlaced: 'tt' });
  const i = planStream(info('mpegts', [interlaced, s(1, 'audio', 'aac')]));
  assert.deepEqual([i.mode, i.video], ['transcode', { stream: 0, action: 'h264', deinterlace: true }]);
  const mpeg2 = planStream(info('mpegts', [s(0, 'video', 'mpeg2video', { interlaced: 'bb' })]));
  assert.equal(mpeg2.video?.deinterlace, true);
  // A forced remux still copies what MP4 can carry (nothing can be deinterlaced then).
  const forced = planStream(info('mpegts', [interlaced]), { mode: 'remux' });
  assert.deepEqual([forced.mode, forced.video], ['remux', { stream: 0, action: 'copy' }]);
});

test('audio-only through FFmpeg is audio/mp4, the cover picture left out', () => {
  const mp3 = info('mp3', [s(0, 'audio', 'mp3'), s(1, 'video', 'mjpeg', { attachedPic: true })]);
  const remux = planStream(mp3, { mode: 'remux' });
  assert.deepEqual([remux.mode, remux.video, remux.mime], ['remux', null, 'audio/mp4']);
  const flac = planStream(info('flac', [s(0, 'audio', 'flac')]), { mode: 'transcode' });
  assert.deepEqual([flac.mode, flac.audio?.action, flac.mime], ['transcode', 'aac', 'audio/mp4']);
});

test('t decides the input: a seek reads the seekable input from that time; direct ignores it', () => {
  const mkv = info('matroska', [s(0, 'video', 'h264'), s(1, 'audio', 'aac')]);
  assert.deepEqual(planStream(mkv).input, { kind: 'pipe', format: 'matroska' });
  assert.deepEqual(planStream(mkv, { t: 0 }).input, { kind: 'pipe', format: 'matroska' });
  assert.deepEqual(planStream(mkv, { t: 4.5 }).input, { kind: 'seekable', startTime: 4.5 });
  const mp4 = info('mp4', [s(0, 'video', 'h264'), s(1, 'audio', 'aac')]);
  assert.deepEqual(
    [planStream(mp4, { t: 4 }).mode, planStream(mp4, { t: 4 }).input.kind],
    ['direct', 'pipe'],
  );
});
