/** A minimal bencoder for hand-made (and deliberately malformed) .torrent files in tests. */
export type Bencodable = number | string | Buffer | Bencodable[] | { [key: string]: Bencodable };

export function bencode(value: Bencodable): Buffer {
  if (typeof value === 'number') return Buffer.from(`i${value}e`);
  if (typeof value === 'string') return bencode(Buffer.from(value));
  if (Buffer.isBuffer(value)) return Buffer.concat([Buffer.from(`${value.length}:`), value]);
  if (Array.isArray(value)) return Buffer.concat([Buffer.from('l'), ...value.map(bencode), Buffer.from('e')]);
  const keys = Object.keys(value).sort();
  return Buffer.concat([
    Buffer.from('d'),
    ...keys.flatMap((key) => [bencode(key), bencode(value[key]!)]),
    Buffer.from('e'),
  ]);
}
