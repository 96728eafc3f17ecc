/** Byte ↔ piece arithmetic for one file inside a torrent (files sit back to back across pieces). */
import type { BitField } from 'webtorrent';

export interface FileGeometry {
  /** The file's first byte in the torrent's byte space. */
  offset: number;
  length: number;
  pieceLength: number;
}

/** Inclusive piece indexes holding file bytes [start, end); `end` > `start`. */
export function piecesOf(file: FileGeometry, start: number, end: number): [number, number] {
  return [
    Math.floor((file.offset + start) / file.pieceLength),
    Math.floor((file.offset + end - 1) / file.pieceLength),
  ];
}

/** Verified byte ranges of the file, [start, end) in file coordinates, merged and in order. */
export function verifiedRanges(
  file: FileGeometry,
  bitfield: Pick<BitField, 'get'> | undefined,
): Array<[number, number]> {
  if (!bitfield || file.length === 0) return [];
  const [first, last] = piecesOf(file, 0, file.length);
  const ranges: Array<[number, number]> = [];
  for (let piece = first; piece <= last; piece++) {
    if (!bitfield.get(piece)) continue;
    const start = Math.max(0, piece * file.pieceLength - file.offset);
    const end = Math.min(file.length, (piece + 1) * file.pieceLength - file.offset);
    const previous = ranges[ranges.length - 1];
    if (previous && previous[1] === start) previous[1] = end;
    else ranges.push([start, end]);
  }
  return ranges;
}
