/**
 * Text that came from outside (torrent and file names, error messages quoting them) made safe to print:
 * control characters (C0, DEL, C1 — ESC starts terminal escape sequences, U+009B is a one-byte CSI) and
 * bidirectional overrides/isolates (which make a name display as something it is not) are dropped.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function safeTerminalText(text: string): string {
  return text.replace(UNSAFE, '');
}
