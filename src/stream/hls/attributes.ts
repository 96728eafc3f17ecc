/**
 * Writing attribute values into playlists safely. HLS quoted-strings have no escape: a `"`, CR or LF
 * inside one ends the attribute or the tag, so torrent-supplied names (track titles, subtitle file names)
 * lose those characters, and URIs get them percent-encoded.
 */

/** C0/C1 controls, DEL and the Unicode line/paragraph separators: none may reach a playlist line. */
function isControl(c: string): boolean {
  const n = c.codePointAt(0)!;
  return n < 0x20 || (n >= 0x7f && n <= 0x9f) || n === 0x2028 || n === 0x2029;
}

/** A NAME-style value: no quotes, line breaks or other control characters; collapsed spaces. */
export function safeText(value: string, fallback: string): string {
  const clean = Array.from(value, (c) => (c === '"' || isControl(c) ? ' ' : c))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  return clean || fallback;
}

/** A relative URI with the request's query (auth token, caps) appended; unsafe characters percent-encoded. */
export function withQuery(uri: string, query?: string): string {
  const q = query?.replace(/^[?&]+/, '') ?? '';
  const full = q ? `${uri}${uri.includes('?') ? '&' : '?'}${q}` : uri;
  return Array.from(full, (c) =>
    c === '"' || /\s/.test(c) || isControl(c) ? encodeURIComponent(c) : c,
  ).join('');
}

/** `KEY=value` pairs joined by commas; values already quoted or enumerated by the caller. */
export function attributeList(pairs: Array<[string, string | number | undefined | null]>): string {
  return pairs
    .filter((p): p is [string, string | number] => p[1] !== undefined && p[1] !== null)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export const quoted = (value: string) => `"${value}"`;
