/**
 * bittorrent-protocol's Wire joins each chunk read from the socket onto the unparsed rest of the one before
 * (a message cut by the chunk boundary): a copy of the whole chunk, usually 64 KiB, to complete a message of
 * at most 16 KiB. That is one more copy, and one more buffer for the garbage collector, of nearly every byte
 * downloaded. Here a chunk that completes the message in hand first gives the wire just the bytes that
 * message lacks, then the rest as it came, so only the cut message is copied. The one module that touches the
 * Wire's private members (bittorrent-protocol 5, pinned by test/torrent/wire-buffering.test.ts); a wire
 * without them is left as it is.
 */
import type { Wire } from 'webtorrent';

interface WireParser {
  _write(data: Uint8Array, cb: (err?: Error | null) => void): void;
  /** Received bytes not parsed yet: one buffer, or none, between writes. */
  _buffer: Uint8Array[];
  _bufferSize: number;
  /** Bytes the parser waits for: the next message (or its length prefix). */
  _parserSize: number;
  /** Encryption handshake states, in which the wire scans its buffer instead of parsing messages. */
  _cryptoSyncPattern: unknown;
  _pePending: boolean;
}

function isParser(wire: object): wire is WireParser {
  const w = wire as Partial<WireParser>;
  return (
    typeof w._write === 'function' &&
    Array.isArray(w._buffer) &&
    typeof w._bufferSize === 'number' &&
    typeof w._parserSize === 'number' &&
    '_cryptoSyncPattern' in w &&
    typeof w._pePending === 'boolean'
  );
}

const ignore = () => {};

/** Makes `wire` copy only cut messages; false (and nothing changed) when it is not the Wire this knows. */
export function copyOnlyCutMessages(wire: Wire): boolean {
  if (!isParser(wire)) return false;
  const write = wire._write;
  wire._write = (data, cb) => {
    const lacking = wire._parserSize - wire._bufferSize;
    const cut = wire._buffer.length === 1 && lacking > 0 && lacking < data.length;
    if (cut && !wire._cryptoSyncPattern && !wire._pePending) {
      // The wire's own _write, with exactly the message's missing bytes: it joins and parses just that.
      write.call(wire, data.subarray(0, lacking), ignore);
      write.call(wire, data.subarray(lacking), cb);
    } else {
      write.call(wire, data, cb);
    }
  };
  return true;
}
