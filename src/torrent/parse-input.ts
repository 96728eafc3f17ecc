/**
 * Turns what a user typed or uploaded into something webtorrent can add, or a TorrentInputError with a message
 * fit to show them. Nothing here touches the engine, so an invalid input can never half-add a torrent.
 */
import bencode from 'bencode';
import parseTorrent, { type ParsedTorrent } from 'parse-torrent';
import { TorrentInputError } from './errors.js';
import { defaultFetchLimits, type FetchOptions, fetchTorrent } from './fetch-torrent.js';
import { fileFolderClash } from './safe-path.js';
import { limitError, TORRENT_LIMITS } from './torrent-shape.js';

export { defaultFetchLimits, type FetchLimits } from './fetch-torrent.js';

export interface ParsedInput {
  /** Lower-case hex. */
  infoHash: string;
  /** What to hand to webtorrent: a magnet URI, or validated .torrent bytes. */
  torrentId: string | Uint8Array;
  /** Peer hints ('host:port') a magnet carried in x.pe. */
  peers: string[];
}

const { maxPieces: MAX_PIECES, maxFiles: MAX_FILES } = TORRENT_LIMITS;
const MAX_PIECE_LENGTH = 128 * 1024 * 1024;
const HEX_HASH = /^[0-9a-f]{40}$/i;
const BASE32_HASH = /^[a-z2-7]{32}$/i;

export async function parseInput(
  input: string | Uint8Array,
  options: FetchOptions = {},
): Promise<ParsedInput> {
  if (typeof input !== 'string') return parseTorrentBytes(input);
  const text = input.trim();
  if (/^magnet:/i.test(text)) return parseMagnet(text);
  if (HEX_HASH.test(text) || BASE32_HASH.test(text)) {
    const { infoHash } = await parseMagnet(`magnet:?xt=urn:btih:${text}`);
    return { infoHash, torrentId: `magnet:?xt=urn:btih:${infoHash}`, peers: [] };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    const bytes = await fetchTorrent(text, options);
    return parseTorrentBytes(bytes, text);
  }
  if (scheme && scheme.length > 1) {
    throw new TorrentInputError(
      `unsupported URL scheme "${scheme}:": give a magnet URI, an info-hash or an http(s) URL of a .torrent`,
      'UNSUPPORTED_SCHEME',
    );
  }
  throw new TorrentInputError(
    'not a torrent source: give a magnet URI, a 40-hex or 32-base32 info-hash, or an http(s) URL of a .torrent',
    'INVALID_SOURCE',
  );
}

async function parseMagnet(magnet: string): Promise<ParsedInput> {
  let parsed: ParsedTorrent | undefined;
  try {
    parsed = await parseTorrent(magnet);
  } catch {
    // reported below
  }
  const infoHash = parsed?.infoHash?.toLowerCase();
  if (!infoHash || !HEX_HASH.test(infoHash)) {
    throw new TorrentInputError(
      'invalid magnet URI: it needs xt=urn:btih: followed by a 40-hex or 32-base32 info-hash',
      'INVALID_SOURCE',
    );
  }
  return { infoHash, torrentId: magnet, peers: parsed?.peerAddresses ?? [] };
}

/** Validates .torrent bytes (parse-torrent throws plain errors and trusts every number it reads). */
export async function parseTorrentBytes(bytes: Uint8Array, origin = 'the .torrent'): Promise<ParsedInput> {
  const invalid = (why: string, cause?: unknown) =>
    new TorrentInputError(`${origin} is not a valid .torrent file: ${why}`, 'INVALID_SOURCE', { cause });
  if (bytes.length > defaultFetchLimits.maxBytes) {
    throw new TorrentInputError(`${origin} is larger than ${defaultFetchLimits.maxBytes} bytes`, 'TOO_LARGE');
  }
  // A bencoded dictionary starts with "d"; parse-torrent would take 20 arbitrary bytes for a binary info-hash.
  if (bytes.length < 40 || bytes[0] !== 0x64) throw invalid('not a bencoded dictionary');
  // Counted before parse-torrent builds an object per file and a string per piece on the event loop.
  const beyond = limitError(bytes, origin);
  if (beyond) throw beyond;
  let parsed: ParsedTorrent;
  try {
    parsed = await parseTorrent(bytes);
  } catch (err) {
    throw invalid(whyUnparsable(bytes, err), err);
  }
  const { infoHash, files, pieces, pieceLength, length } = parsed;
  if (!infoHash || !HEX_HASH.test(infoHash) || !files || !pieces || !pieceLength || length === undefined) {
    throw invalid('missing info');
  }
  if (!Number.isSafeInteger(pieceLength) || pieceLength < 1 || pieceLength > MAX_PIECE_LENGTH) {
    throw invalid(`absurd piece length ${pieceLength}`);
  }
  if (pieces.length < 1 || pieces.length > MAX_PIECES) throw invalid(`absurd piece count ${pieces.length}`);
  // parse-torrent cuts the hash string every 20 bytes: a ragged last one could never verify.
  if (pieces.some((hash) => hash.length !== 40)) throw invalid('the piece hashes are not 20 bytes each');
  if (files.length < 1 || files.length > MAX_FILES) throw invalid(`absurd file count ${files.length}`);
  if (files.some((file) => !Number.isSafeInteger(file.length) || file.length < 0))
    throw invalid('bad file length');
  if (!Number.isSafeInteger(length) || length < 1) throw invalid('empty torrent');
  if (pieces.length !== Math.ceil(length / pieceLength)) {
    throw invalid(`${pieces.length} pieces do not cover ${length} bytes at ${pieceLength} per piece`);
  }
  const clash = fileFolderClash(files.map((file) => file.path));
  if (clash) throw invalid(`"${clash[0]}" is both a file and a folder (of "${clash[1]}")`);
  return { infoHash: infoHash.toLowerCase(), torrentId: bytes, peers: [] };
}

/**
 * Why parse-torrent refused the bytes, in words for the user: its own checks say which field is missing, but a
 * shape it does not expect (an empty or malformed file list) fails inside it with a TypeError that says nothing.
 */
function whyUnparsable(bytes: Uint8Array, err: unknown): string {
  if (!(err instanceof TypeError)) return err instanceof Error ? err.message : String(err);
  try {
    const info = (bencode.decode(bytes) as { info?: { files?: unknown } }).info;
    if (Array.isArray(info?.files) && info.files.length === 0) return 'it lists no files';
  } catch {
    // parse-torrent decodes the same way: not reached.
  }
  return 'its info dictionary is malformed';
}
