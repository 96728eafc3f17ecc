/**
 * A strict parser for a single HTTP byte range (RFC 9110 §14.1.2), for both byte servers: `direct` streams and
 * the seekable input FFmpeg reads. Multiple ranges are answered with the whole file (the RFC allows ignoring
 * Range), which is what every media player copes with.
 */
export type RangeResult =
  | { kind: 'none' } // no Range, or one we ignore: serve 200 with the whole body
  | { kind: 'range'; start: number; end: number } // inclusive end, as in Content-Range
  | { kind: 'unsatisfiable' };

const single = /^bytes=(\d*)-(\d*)$/;

export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return { kind: 'none' };
  const value = header.trim();
  if (value.includes(',')) return { kind: 'none' };
  const match = single.exec(value);
  if (!match) return { kind: 'none' }; // a malformed Range is ignored, per the RFC
  const [, first, last] = match;
  if (first === '' && last === '') return { kind: 'none' };
  if (first === '') {
    // Suffix: the last N bytes; a suffix longer than the file selects all of it, whatever its digits.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: length >= size ? 0 : size - length, end: size - 1 };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' };
  let end = last === '' ? size - 1 : Number(last);
  if (!Number.isSafeInteger(end)) end = size - 1;
  if (end < start) return { kind: 'none' };
  return { kind: 'range', start, end: Math.min(end, size - 1) };
}
