/** Reading playlists in tests: tags as attribute maps, EXTINF values and URI lines as written. */

/** `#EXT-X-MEDIA` lines of a type, as attribute maps (quoted values keep their quotes). */
export function mediaTags(playlist: string, type: string): Array<Record<string, string>> {
  return playlist
    .split('\n')
    .filter((line) => line.startsWith(`#EXT-X-MEDIA:TYPE=${type},`))
    .map((line) => {
      const pairs = line.slice('#EXT-X-MEDIA:'.length).match(/[A-Z-]+=("[^"]*"|[^,]*)/g) ?? [];
      return Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
    });
}

/** The EXTINF durations as written (strings, so rounding is compared exactly). */
export const extinfs = (playlist: string): string[] =>
  playlist
    .split('\n')
    .filter((l) => l.startsWith('#EXTINF:'))
    .map((l) => l.slice('#EXTINF:'.length).replace(/,$/, ''));

/** The URI lines, in order. */
export const uris = (playlist: string): string[] =>
  playlist.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
