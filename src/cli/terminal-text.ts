/**
 * Torrent-supplied names printed in a terminal: control characters (C0, DEL, C1, so ESC sequences too) could
 * move the cursor, recolour or retitle the terminal, and bidi overrides could make a name read as another.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const unsafe = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The name with every control character and bidi override removed (tabs and line breaks become spaces). */
export function terminalSafe(name: string): string {
  return name.replace(/[\t\r\n]+/g, ' ').replace(unsafe, '');
}
