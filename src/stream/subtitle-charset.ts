/**
 * Subtitle files come in every charset (Windows-1252 for most Western .srt files, 1251 for Cyrillic,
 * Shift_JIS, UTF-16 with a BOM...). Decoding order: a BOM, then strict UTF-8, then chardet's guess when it
 * is confident enough, else Windows-1252 — chardet guesses wildly on short single-byte texts (a lone "é" in
 * Latin-1 comes back as Shift_JIS), and 1252 decodes every byte of the commonest case correctly.
 *
 * chardet costs about a second per megabyte on the event loop, so it sees a bounded sample: the bytes from
 * the line of the first non-ASCII one (ASCII tells it nothing, and dilutes its confidence). The text is decoded a slice at a time, the
 * event loop free between slices: a 16 MB file is 16 MB of work however it is cut.
 */
import { isUtf8 } from 'node:buffer';
import { setImmediate as nextTurn } from 'node:timers/promises';
import chardet from 'chardet';
import iconv from 'iconv-lite';

export interface Charset {
  /** The charset the bytes are read as. */
  encoding: string;
  /** Bytes of byte-order mark to skip. */
  bom: number;
}

/** Below this, chardet's top candidate is a coin toss (measured: 10 for a short Latin-1 line). */
const MIN_CONFIDENCE = 20;
const FALLBACK = 'windows-1252';
/** What chardet sees of a file that is not UTF-8: a few hundred lines of subtitles, some milliseconds. */
export const CHARSET_SAMPLE_BYTES = 32 * 1024;
/** Decoded per turn of the event loop. */
const SLICE_BYTES = 256 * 1024;

export function detectSubtitleCharset(bytes: Buffer): Charset {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'UTF-8', bom: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'UTF-16LE', bom: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'UTF-16BE', bom: 2 };
  // Native and linear: cheap on the whole file.
  if (isUtf8(bytes)) return { encoding: 'UTF-8', bom: 0 };
  const best = chardet.analyse(nonAsciiSample(bytes))[0];
  let encoding = best && best.confidence >= MIN_CONFIDENCE ? best.name : FALLBACK;
  // Latin-1 labelled files are in practice 1252 (curly quotes at 0x91-0x94), as browsers assume too.
  if (/^(ISO-8859-1|ASCII)$/i.test(encoding) || !iconv.encodingExists(encoding)) encoding = FALLBACK;
  return { encoding, bom: 0 };
}

/** At most CHARSET_SAMPLE_BYTES, from the start of the line with the first byte above 0x7f. */
function nonAsciiSample(bytes: Buffer): Buffer {
  let first = 0;
  while (first < bytes.length && bytes[first]! < 0x80) first++;
  const from = bytes.lastIndexOf(0x0a, first) + 1;
  return bytes.subarray(from, from + CHARSET_SAMPLE_BYTES);
}

/** The text of `bytes` in `charset`, a slice at a time, yielding to the event loop between slices. */
export async function* decodeSubtitleChunks(bytes: Buffer, charset: Charset): AsyncGenerator<string> {
  const decoder = iconv.getDecoder(charset.encoding, { stripBOM: false });
  for (let at = charset.bom; at < bytes.length; at += SLICE_BYTES) {
    const text = decoder.write(bytes.subarray(at, at + SLICE_BYTES));
    if (text) yield text;
    await nextTurn();
  }
  const rest = decoder.end();
  if (rest) yield rest;
}
