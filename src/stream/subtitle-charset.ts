/**
 * Subtitle files come in every charset (Windows-1252 for most Western .srt files, 1251 for Cyrillic,
 * Shift_JIS, UTF-16 with a BOM...). Decoding order: a BOM, then strict UTF-8, then chardet's guess when it
 * is confident enough, else Windows-1252 — chardet guesses wildly on short single-byte texts (a lone "é" in
 * Latin-1 comes back as Shift_JIS), and 1252 decodes every byte of the commonest case correctly.
 */
import chardet from 'chardet';
import iconv from 'iconv-lite';

export interface DecodedText {
  text: string;
  /** The charset the bytes were read as. */
  encoding: string;
}

/** Below this, chardet's top candidate is a coin toss (measured: 10 for a short Latin-1 line). */
const MIN_CONFIDENCE = 20;
const FALLBACK = 'windows-1252';

export function decodeSubtitleBytes(bytes: Buffer): DecodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: bytes.subarray(3).toString('utf8'), encoding: 'UTF-8' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: iconv.decode(bytes.subarray(2), 'utf-16le'), encoding: 'UTF-16LE' };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: iconv.decode(bytes.subarray(2), 'utf-16be'), encoding: 'UTF-16BE' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'UTF-8' };
  } catch {
    // not UTF-8: guess below
  }
  const best = chardet.analyse(bytes)[0];
  let encoding = best && best.confidence >= MIN_CONFIDENCE ? best.name : FALLBACK;
  // Latin-1 labelled files are in practice 1252 (curly quotes at 0x91-0x94), as browsers assume too.
  if (/^(ISO-8859-1|ASCII)$/i.test(encoding) || !iconv.encodingExists(encoding)) encoding = FALLBACK;
  return { text: iconv.decode(bytes, encoding), encoding };
}
