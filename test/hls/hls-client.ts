/**
 * An HLS client over the real server for the HLS tests: playlists parsed the way a player reads them, and
 * their parts fetched with the status checked.
 */
import assert from 'node:assert/strict';

/** Attributes of a tag line (`KEY=value,KEY="quoted, value"`), quotes removed. */
export function attributes(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const payload = line.slice(line.indexOf(':') + 1);
  for (const match of payload.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    out[match[1]!] = match[2]!.replace(/^"|"$/g, '');
  }
  return out;
}

export interface Master {
  text: string;
  variant: Record<string, string>;
  variantUri: string;
  audios: Array<Record<string, string>>;
}

export function parseMaster(text: string): Master {
  const lines = text.split('\n').filter((l) => l.length > 0);
  assert.equal(lines[0], '#EXTM3U');
  const inf = lines.findIndex((l) => l.startsWith('#EXT-X-STREAM-INF:'));
  assert.ok(inf > 0 && lines[inf + 1] && !lines[inf + 1]!.startsWith('#'), `one variant:\n${text}`);
  return {
    text,
    variant: attributes(lines[inf]!),
    variantUri: lines[inf + 1]!,
    audios: lines
      .filter((l) => l.startsWith('#EXT-X-MEDIA:'))
      .map(attributes)
      .filter((a) => a.TYPE === 'AUDIO'),
  };
}

export interface MediaPlaylist {
  text: string;
  lines: string[];
  targetDuration: number;
  map: string;
  durations: number[];
  segments: string[];
}

export function parseMedia(text: string): MediaPlaylist {
  const lines = text.split('\n').filter((l) => l.length > 0);
  assert.equal(lines[0], '#EXTM3U');
  const durations: number[] = [];
  const segments: string[] = [];
  let map = '';
  let targetDuration = Number.NaN;
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MAP:')) map = attributes(line).URI ?? '';
    else if (line.startsWith('#EXTINF:')) {
      durations.push(Number.parseFloat(line.slice(8)));
      segments.push(lines[i + 1]!);
    }
  }
  return { text, lines, targetDuration, map, durations, segments };
}

/** Fetches relative to a base URL, the way a player resolves playlist URIs; asserts 200. */
export class HlsClient {
  constructor(readonly masterUrl: string) {}

  url(uri: string, from = this.masterUrl): string {
    return new URL(uri, from).href;
  }

  async text(uri: string, from?: string): Promise<string> {
    const response = await fetch(this.url(uri, from));
    const body = await response.text();
    assert.equal(response.status, 200, `${uri}: ${body}`);
    return body;
  }

  async bytes(uri: string, from?: string): Promise<Buffer> {
    const response = await fetch(this.url(uri, from));
    const body = Buffer.from(await response.arrayBuffer());
    assert.equal(response.status, 200, `${uri}: ${body.toString().slice(0, 500)}`);
    return body;
  }

  master(): Promise<Master> {
    return this.text(this.masterUrl).then(parseMaster);
  }

  /** A media playlist (a URI of the master), with its absolute URL to resolve its own URIs against. */
  async media(uri: string): Promise<MediaPlaylist & { url: string }> {
    const url = this.url(uri);
    return { ...parseMedia(await this.text(url)), url };
  }
}

// ISO-BMFF, as much as the init segment's sample entry needs.
