import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bcp47 } from '../../../src/stream/hls/language.js';
import {
  type MasterInput,
  masterPlaylist,
  mediaPlaylist,
  subtitlePlaylist,
  targetDuration,
  writtenDurations,
} from '../../../src/stream/hls/playlists.js';
import { fixedSegmentTimes, keyframeSegmentTimes } from '../../../src/stream/hls/segment-times.js';

const QUERY = 'token=abc&caps=h264,aac';

function master(over: Partial<MasterInput> = {}): string {
  return masterPlaylist({
    video: { codecs: 'avc1.640028', width: 1920, height: 1080, frameRate: 23.976, bandwidth: 5_000_000 },
    audios: [
      {
        id: 1,
        name: 'English',
        language: 'eng',
        default: false,
        codecs: 'mp4a.40.2',
        channels: 2,
        uri: 'a1.m3u8',
      },
      {
        id: 2,
        name: 'Français',
        language: 'fre',
        default: false,
        codecs: 'ac-3',
        channels: 6,
        uri: 'a2.m3u8',
      },
    ],
    subtitles: [{ name: 'English', language: 'eng', default: false, forced: false, uri: 's0.m3u8' }],
    videoUri: 'video.m3u8',
    query: QUERY,
    ...over,
  });
}

const tagLines = (text: string, tag: string) => text.split('\n').filter((l) => l.startsWith(tag));
/** Attribute lists parsed the way RFC 8216 defines them (quoted strings may hold commas). */
function attrs(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const body = line.slice(line.indexOf(':') + 1);
  for (const m of body.matchAll(/([A-Z0-9-]+)=("[^"\r\n]*"|[^,]*)(,|$)/g)) out[m[1]!] = m[2]!;
  return out;
}

test('media playlist: a complete VOD playlist with the required tags, in order', () => {
  const times = fixedSegmentTimes(10.5, 4, 4);
  const text = mediaPlaylist({
    segmentTimes: times,
    initUri: 'init.mp4',
    segmentUri: (i) => `${i}.m4s`,
    query: QUERY,
  });
  assert.equal(
    text,
    [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:4',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      `#EXT-X-MAP:URI="init.mp4?${QUERY}"`,
      '#EXTINF:4.000,',
      `0.m4s?${QUERY}`,
      '#EXTINF:4.000,',
      `1.m4s?${QUERY}`,
      '#EXTINF:2.500,',
      `2.m4s?${QUERY}`,
      '#EXT-X-ENDLIST',
      '',
    ].join('\n'),
  );
});

test('media playlist: EXTINF add up to the duration and, rounded, never exceed TARGETDURATION', () => {
  const keys = Array.from({ length: 200 }, (_, i) => 0.042 + i * 2.5 + (i % 3) * 0.37);
  const duration = 503.21;
  const times = keyframeSegmentTimes(keys, duration)!;
  const text = mediaPlaylist({ segmentTimes: times, initUri: 'init.mp4', segmentUri: (i) => `${i}.m4s` });
  const target = Number(tagLines(text, '#EXT-X-TARGETDURATION:')[0]!.split(':')[1]);
  const extinf = tagLines(text, '#EXTINF:').map((l) => Number(l.slice(8, -1)));
  assert.ok(target <= 6);
  for (const d of extinf) assert.ok(Math.round(d) <= target && d <= target, `${d} vs ${target}`);
  assert.ok(Math.abs(extinf.reduce((a, b) => a + b, 0) - duration) < 0.001, 'EXTINF add up within 1 ms');
  // Thousands of segments of a third of a millisecond-rounding each still add up (no drift).
  const thirds = fixedSegmentTimes(10_000, 10 / 3);
  const sum = writtenDurations(thirds).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum / 1000 - 10_000) < 0.001, `${sum}`);
  assert.equal(targetDuration([6.0000001, 2]), 6, 'float noise does not raise the target');
  assert.equal(targetDuration([5.2]), 6);
});

test('subtitle playlist: same cut times, .vtt segments, no MAP', () => {
  const times = fixedSegmentTimes(9, 4, 4);
  const text = subtitlePlaylist({ segmentTimes: times, segmentUri: (i) => `sub/${i}.vtt`, query: QUERY });
  assert.equal(tagLines(text, '#EXT-X-MAP').length, 0);
  assert.deepEqual(
    text.split('\n').filter((l) => l.endsWith(QUERY)),
    [0, 1, 2].map((i) => `sub/${i}.vtt?${QUERY}`),
  );
  assert.ok(text.includes('#EXT-X-PLAYLIST-TYPE:VOD') && text.trimEnd().endsWith('#EXT-X-ENDLIST'));
});

test('master playlist: v7, one variant with CODECS, RESOLUTION, FRAME-RATE, bandwidths and groups', () => {
  const text = master();
  assert.ok(text.startsWith('#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n'));
  const inf = tagLines(text, '#EXT-X-STREAM-INF:');
  assert.equal(inf.length, 1);
  const a = attrs(inf[0]!);
  assert.equal(a.CODECS, '"avc1.640028,mp4a.40.2,ac-3"');
  assert.equal(a.RESOLUTION, '1920x1080');
  assert.equal(a['FRAME-RATE'], '23.976');
  assert.ok(Number(a.BANDWIDTH) > 5_000_000 && Number(a['AVERAGE-BANDWIDTH']) <= Number(a.BANDWIDTH));
  assert.equal(a.AUDIO, '"audio"');
  assert.equal(a.SUBTITLES, '"subs"');
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[lines.length - 1], `video.m3u8?${QUERY}`);
});

test('master playlist: renditions carry LANGUAGE (BCP-47), NAME, DEFAULT/AUTOSELECT, one default per group', () => {
  const text = master();
  const media = tagLines(text, '#EXT-X-MEDIA:').map(attrs);
  const audio = media.filter((m) => m.TYPE === 'AUDIO');
  const subs = media.filter((m) => m.TYPE === 'SUBTITLES');
  assert.deepEqual(
    audio.map((m) => [m.LANGUAGE, m.NAME, m.DEFAULT, m.AUTOSELECT, m.CHANNELS, m['GROUP-ID']]),
    [
      ['"en"', '"English"', 'YES', 'YES', '"2"', '"audio"'],
      ['"fr"', '"Français"', 'NO', 'YES', '"6"', '"audio"'],
    ],
  );
  assert.equal(audio[1]!.URI, `"a2.m3u8?${QUERY}"`);
  assert.deepEqual(
    subs.map((m) => [m.LANGUAGE, m.DEFAULT, m.FORCED, m['GROUP-ID']]),
    [['"en"', 'NO', 'NO', '"subs"']],
  );

  // Several flagged defaults: only the first stays default.
  const many = master({
    audios: [1, 2, 3].map((id) => ({
      id,
      name: `A${id}`,
      language: null,
      default: id > 1,
      codecs: 'mp4a.40.2',
      uri: `${id}.m3u8`,
    })),
    subtitles: [1, 2].map((id) => ({
      name: `S${id}`,
      language: 'xx',
      default: true,
      forced: false,
      uri: `${id}.m3u8`,
    })),
  });
  const parsed = tagLines(many, '#EXT-X-MEDIA:').map(attrs);
  for (const type of ['AUDIO', 'SUBTITLES']) {
    assert.equal(parsed.filter((m) => m.TYPE === type && m.DEFAULT === 'YES').length, 1, type);
  }
  assert.equal(parsed.find((m) => m.NAME === '"A2"')!.DEFAULT, 'YES');
  assert.ok(
    parsed.filter((m) => m.TYPE === 'AUDIO').every((m) => m.LANGUAGE === '"und"'),
    'an audio rendition of unknown language says so (und)',
  );
  assert.ok(
    parsed.filter((m) => m.TYPE === 'SUBTITLES').every((m) => m.LANGUAGE === undefined),
    'unknown subtitle languages are left out',
  );
});

test('master playlist: hostile names and URIs cannot break a tag or add lines', () => {
  const evil = 'Evil",URI="http://x/"\n#EXT-X-ENDLIST\r\u0000\u2028end';
  const text = master({
    audios: [{ id: 1, name: evil, language: 'eng', default: true, codecs: 'mp4a.40.2', uri: 'a "1".m3u8' }],
    subtitles: [{ name: evil, language: 'eng', default: false, forced: true, uri: 'sub\nfile.m3u8' }],
  });
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 7, text); // 3 header tags, 2 renditions, the variant and its URI
  assert.ok(!text.includes('\r') && !text.includes('\u0000') && !text.includes('\u2028'));
  assert.equal(tagLines(text, '#EXT-X-ENDLIST').length, 0);
  for (const m of tagLines(text, '#EXT-X-MEDIA:').map(attrs)) {
    assert.equal(m.NAME, '"Evil ,URI= http://x/ #EXT-X-ENDLIST end"');
    assert.equal(m.AUTOSELECT, 'YES');
  }
  assert.ok(text.includes(`URI="a%20%221%22.m3u8?${QUERY}"`));
  assert.ok(text.includes(`URI="sub%0Afile.m3u8?${QUERY}"`));
  const dupes = master({
    audios: [1, 2].map((id) => ({
      id,
      name: '""',
      language: null,
      default: false,
      codecs: 'mp4a.40.2',
      uri: `${id}`,
    })),
  });
  assert.deepEqual(
    tagLines(dupes, '#EXT-X-MEDIA:TYPE=AUDIO').map((l) => attrs(l).NAME),
    ['"Audio 1"', '"Audio 2"'],
    'empty names get a fallback and stay unique',
  );
});

test('master playlist: an audio-only file points its variant at the default audio playlist', () => {
  const text = master({ video: null, subtitles: [] });
  const a = attrs(tagLines(text, '#EXT-X-STREAM-INF:')[0]!);
  assert.equal(a.CODECS, '"mp4a.40.2,ac-3"');
  assert.equal(a.RESOLUTION, undefined);
  assert.equal(text.trimEnd().split('\n').at(-1), `a1.m3u8?${QUERY}`);
});

test('BCP-47 from ISO 639-2 codes', () => {
  assert.equal(bcp47('eng'), 'en');
  assert.equal(bcp47('fra'), 'fr');
  assert.equal(bcp47('fre'), 'fr');
  assert.equal(bcp47('ger'), 'de');
  assert.equal(bcp47('chi'), 'zh');
  assert.equal(bcp47('en'), 'en');
  assert.equal(bcp47('pt-br'), 'pt-BR');
  assert.equal(bcp47('und'), null);
  assert.equal(bcp47('qaa'), null);
  assert.equal(bcp47(''), null);
  assert.equal(bcp47(null), null);
  assert.equal(bcp47('en"\n'), null);
});
