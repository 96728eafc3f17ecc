/**
 * Torrent-supplied names (torrent and file names, track titles) are shown in terminals, the web UI and
 * players' title bars. Control characters (C0, DEL, C1, so ESC sequences too) could move the cursor,
 * recolour or retitle a terminal, and bidi overrides and isolates could make `movie‮kvm.exe` read as a
 * `.mkv`: both go wherever a name is shown.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const unsafe = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The name with every control character and bidi control removed (tabs and line breaks become spaces). */
export function displayName(name: string): string {
  return name.replace(/[\t\r\n]+/g, ' ').replace(unsafe, '');
}
