/** The pure parts: cue parsing in chunks, shifting, escaping, charset detection, FFmpeg's arguments. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { decodeSubtitleChunks, detectSubtitleCharset } from '../../src/stream/subtitle-charset.js';
import { embeddedSubtitleArgs, isImageSubtitle, SEEK_LEAD_IN_SECONDS } from '../../src/stream/subtitles.js';
import {
  type Cue,
  CueReader,
  escapeCueText,
  formatTimestamp,
  fromSubRipMarkup,
  parseCues,
  parseTimestamp,
  shiftCue,
  vttChunks,
  vttDocument,
} from '../../src/stream/vtt.js';

const srt = [
  '1',
  '00:00:01,000 --> 00:00:02,500',
  '<font color="#ffff00">{\\an8}Hello</font>',
  '',
  '2',
  '01:02:03,004 --> 01:02:04,000 X1:100 X2:200 Y1:10 Y2:20',
  '<i>Two</i>',
  'lines',
  '',
  '',
  '3',
  '00:00:05,000 --> 00:00:04,000',
  'ends before it starts',
  '',
].join('\r\n');

describe('timestamps', () => {
  it('parses WebVTT and SubRip forms to milliseconds', () => {
    assert.equal(parseTimestamp('00:01.5'), 1500);
    assert.equal(parseTimestamp('01:02:03.004'), 3_723_004);
    assert.equal(parseTimestamp('01:02:03,004'), 3_723_004);
    assert.equal(parseTimestamp('100:00:00.000'), 360_000_000);
    assert.equal(parseTimestamp('00:61.000'), null);
    assert.equal(parseTimestamp('1.5'), null);
  });

  it('formats with hours and milliseconds, never negative', () => {
    assert.equal(formatTimestamp(3_723_004), '01:02:03.004');
    assert.equal(formatTimestamp(0), '00:00:00.000');
    assert.equal(formatTimestamp(-5), '00:00:00.000');
    fc.assert(fc.property(fc.nat(400_000_000), (ms) => parseTimestamp(formatTimestamp(ms)) === ms));
  });
});

describe('CueReader', () => {
  it('reads SubRip blocks (CRLF, indices, positions, invalid timings skipped)', () => {
    const cues = parseCues(srt).map(fromSubRipMarkup);
    assert.deepEqual(cues, [
      { start: 1000, end: 2500, text: 'Hello' },
      { start: 3_723_004, end: 3_724_000, text: '<i>Two</i>\nlines' },
    ]);
  });

  it('reads WebVTT with its header, ids, settings, NOTE and STYLE blocks', () => {
    const vtt =
      '\uFEFFWEBVTT - a title\n\nSTYLE\n::cue { color: red }\n\nNOTE a comment\n--> not a cue\n\n' +
      'intro\n00:00.000 --> 00:01.000 line:0 align:start\n<v Bob>Hi</v>\n\n00:02.000 --> 00:03.000\nBye';
    assert.deepEqual(parseCues(vtt), [
      { id: 'intro', start: 0, end: 1000, settings: 'line:0 align:start', text: '<v Bob>Hi</v>' },
      { start: 2000, end: 3000, text: 'Bye' },
    ]);
  });

  it('gives each cue as soon as its blank line arrives', () => {
    const reader = new CueReader();
    assert.deepEqual(reader.push('1\n00:00:01,000 --> 00:00:02,000\nfirst\n'), []);
    assert.deepEqual(
      reader.push('\n'),
      [{ id: '1', start: 1000, end: 2000, text: 'first' }],
      'complete at the blank line',
    );
    assert.deepEqual(reader.push('2\n00:00:03,000 --> 00:00:04,000\nlast'), []);
    assert.deepEqual(reader.end(), [{ id: '2', start: 3000, end: 4000, text: 'last' }]);
  });

  it('finds the same cues however the text is cut into chunks', () => {
    const whole = parseCues(srt);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: srt.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), srt.length];
        const reader = new CueReader();
        const cues: Cue[] = [];
        for (let i = 1; i < points.length; i++)
          cues.push(...reader.push(srt.slice(points[i - 1], points[i])));
        cues.push(...reader.end());
        assert.deepEqual(cues, whole);
      }),
    );
  });

  it('reads a cue megabytes long that arrives in many chunks', () => {
    const text = 'word '.repeat(400_000);
    const reader = new CueReader();
    const cues = reader.push('1\n00:00:01,000 --> 00:00:02,000\n');
    for (let at = 0; at < text.length; at += 4096) cues.push(...reader.push(text.slice(at, at + 4096)));
    cues.push(...reader.push('\n\n2\n00:00:03,000 --> 00:00:04,000\nnext\n'), ...reader.end());
    assert.deepEqual(
      cues.map((cue) => [cue.start, cue.text.length]),
      [
        [1000, text.trimEnd().length],
        [3000, 4],
      ],
    );
  });
});

describe('shifting for a seeked stream', () => {
  const cue = { start: 10_000, end: 12_000, text: 'x' };
  it('moves cues earlier, clips one still showing, drops those already over', () => {
    assert.deepEqual(shiftCue(cue, 4000), { start: 6000, end: 8000, text: 'x' });
    assert.deepEqual(shiftCue(cue, 11_000), { start: 0, end: 1000, text: 'x' });
    assert.equal(shiftCue(cue, 12_000), null);
    assert.equal(shiftCue(cue, 13_000), null);
    assert.deepEqual(shiftCue(cue, 0), cue);
  });

  it('serialises a document with only the cues that remain', () => {
    const doc = vttDocument(
      [
        { start: 1000, end: 2000, text: 'gone' },
        { start: 2500, end: 4000, text: 'clipped' },
        { id: 'n', start: 5000, end: 6000, settings: 'align:end', text: 'later' },
      ],
      3000,
    );
    assert.equal(
      doc,
      'WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nclipped\n\nn\n00:00:02.000 --> 00:00:03.000 align:end\nlater\n\n',
    );
  });

  it('writes the same document in pieces as whole', async () => {
    const cues = Array.from({ length: 5000 }, (_, i) => ({
      start: i * 1000,
      end: i * 1000 + 900,
      text: `${i}`,
    }));
    let pieces = 0;
    let doc = '';
    for await (const piece of vttChunks(cues, 1500)) {
      pieces++;
      doc += piece;
    }
    assert.equal(doc, vttDocument(cues, 1500));
    assert.ok(pieces > 2, `${pieces} pieces`);
  });
});

describe('cue text', () => {
  it('escapes stray & and < but keeps entities and WebVTT tags', () => {
    assert.equal(escapeCueText('Tom & Jerry <3'), 'Tom &amp; Jerry &lt;3');
    assert.equal(escapeCueText('<odd> a -> b --> c'), '&lt;odd> a -> b --&gt; c');
    const kept = '<i>a</i> <b>b</b> <u>c</u> <c.red>d</c> <v Ann>e</v> <00:01.000>f &amp; &#233; &lt;';
    assert.equal(escapeCueText(kept), kept);
  });

  it('drops SubRip font tags and ASS overrides', () => {
    const cue = fromSubRipMarkup({
      id: '7',
      start: 0,
      end: 1,
      text: '{\\an8}<font face="Arial" size="20">Hi</font>',
    });
    assert.deepEqual(cue, { start: 0, end: 1, text: 'Hi' });
  });
});

async function decode(bytes: Buffer): Promise<{ text: string; encoding: string }> {
  const charset = detectSubtitleCharset(bytes);
  let text = '';
  for await (const chunk of decodeSubtitleChunks(bytes, charset)) text += chunk;
  return { text, encoding: charset.encoding };
}

describe('subtitle charsets', () => {
  const line = '1\n00:00:01,000 --> 00:00:02,000\n';
  const cases: Array<[string, Buffer, string, RegExp]> = [
    ['short Latin-1 (chardet guesses Shift_JIS)', Buffer.from(`${line}Léa\n`, 'latin1'), 'Léa', /1252/],
    [
      'Windows-1252 curly quotes',
      iconv.encode(`${line}“Déjà vu”, he said — l’été.\n`, 'windows-1252'),
      '“Déjà vu”, he said — l’été.',
      /1252/,
    ],
    ['UTF-8', Buffer.from(`${line}Grüße, ça va\n`), 'Grüße, ça va', /UTF-8/],
    ['UTF-8 with a BOM', Buffer.from(`\uFEFF${line}naïve\n`), 'naïve', /UTF-8/],
    [
      'UTF-16LE with a BOM',
      Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(`${line}日本語\n`, 'utf-16le')]),
      '日本語',
      /UTF-16LE/,
    ],
    [
      'Windows-1251 Russian',
      iconv.encode(`${line}Привет, как дела? Я очень рад тебя видеть. Это было давно.\n`, 'windows-1251'),
      'Привет, как дела?',
      /1251/,
    ],
    [
      'Shift_JIS',
      iconv.encode(`${line}こんにちは、元気ですか？今日はいい天気ですね。\n`, 'shift_jis'),
      '今日はいい天気',
      /Shift_JIS/i,
    ],
  ];
  for (const [what, bytes, expected, encoding] of cases) {
    it(what, async () => {
      const decoded = await decode(bytes);
      assert.ok(decoded.text.startsWith('1\n00:00:01'), JSON.stringify(decoded.text.slice(0, 20)));
      assert.ok(decoded.text.includes(expected), `${decoded.encoding}: ${decoded.text}`);
      assert.match(decoded.encoding, encoding);
    });
  }

  it('guesses from the first non-ASCII bytes, however far into the file', async () => {
    const plain = `${line}Just plain words here\n\n`.repeat(5000);
    const decoded = await decode(
      iconv.encode(
        `${plain}${line}Привет, как дела? Я очень рад тебя видеть. Это было давно.\n`,
        'windows-1251',
      ),
    );
    assert.match(decoded.encoding, /1251/);
    assert.ok(decoded.text.endsWith('Это было давно.\n'), decoded.text.slice(-40));
  });

  it('decodes characters split between slices', async () => {
    // 256 KiB slices: a three-byte UTF-8 or two-byte Shift_JIS character straddles most boundaries.
    const text = `${line}${'日本語のテキスト、'.repeat(60_000)}\n`;
    for (const [bytes, encoding] of [
      [Buffer.from(`\uFEFF${text}`), /UTF-8/],
      [iconv.encode(text, 'shift_jis'), /Shift_JIS/i],
    ] as const) {
      const decoded = await decode(bytes);
      assert.match(decoded.encoding, encoding);
      assert.equal(decoded.text, text);
    }
  });
});

describe('embedded extraction', () => {
  it('knows image subtitle codecs', () => {
    for (const codec of ['hdmv_pgs_subtitle', 'dvd_subtitle', 'dvb_subtitle', 'DVD_SUBTITLE', 'xsub']) {
      assert.ok(isImageSubtitle(codec), codec);
    }
    for (const codec of ['subrip', 'ass', 'webvtt', 'mov_text']) assert.ok(!isImageSubtitle(codec), codec);
  });

  it('maps the absolute stream, keeps the file clock, and seeks a lead-in before t', () => {
    const url = 'http://127.0.0.1:1/x';
    const at0 = embeddedSubtitleArgs(url, 3);
    assert.deepEqual(at0.slice(at0.indexOf('-map'), at0.indexOf('-map') + 2), ['-map', '0:3']);
    assert.ok(at0.includes('-copyts') && at0.includes('-start_at_zero'));
    assert.ok(!at0.includes('-ss'));
    assert.ok(!embeddedSubtitleArgs(url, 3, SEEK_LEAD_IN_SECONDS).includes('-ss'));
    const late = embeddedSubtitleArgs(url, 3, SEEK_LEAD_IN_SECONDS + 12.5);
    assert.deepEqual(late.slice(late.indexOf('-ss'), late.indexOf('-ss') + 4), ['-ss', '12.500', '-i', url]);
  });
});
