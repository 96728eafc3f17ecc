/**
 * bittorrent-protocol's Wire joins each chunk read from the socket onto the unparsed rest of the one before
 * (a message cut by the chunk boundary): a copy of the whole chunk, usually 64 KiB, to complete a message of
 * at most 16 KiB. That is one more copy, and one more buffer for the garbage collector, of nearly every byte
 * downloaded. Here a chunk that completes the message in hand first gives the wire just the bytes that
 * message lacks, then the rest as it came, so only the cut message is copied. The one module that touches the
 * Wire's private members (bittorrent-protocol 5, pinned by test/torrent/wire-buffering.test.ts); a wire
 * without them is left as it is.
 *
 * Going out, each message a wire sends is a chunk of its own through the peer's pipeline (the rate limiters,
 * a counting transform) and a system call on the socket: a request per block downloaded, sent one by one as
 * blocks arrive, and as many reads for the peer. joinSmallMessages sends the small ones a turn of the event
 * loop makes as one chunk.
 *
 * A wire finds the request a block answers by a linear scan of those in flight (`_pull`), and fills the gap it
 * leaves with the newest, so the oldest drift to the back: with thousands in flight on a fast link, each block
 * scanned thousands. Peers answer mostly in the order asked, so findRequestsInOrder keeps that order and looks
 * at the oldest first.
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

/**
 * Makes `wire` skip its debug messages when the `debug` package prints none (DEBUG unset: streamtide never
 * enables it itself). The wire builds each one before `debug` looks whether it is enabled — a prefixed string
 * and an array of the arguments, for each block asked and each received.
 */
export function skipDebugMessages(wire: Wire): void {
  const w = wire as unknown as { _debug?: unknown };
  if (!process.env.DEBUG && typeof w._debug === 'function') w._debug = ignore;
}

/** Requests (17 bytes), haves (9), keep-alives (4), choke and interest (5): joined. Pieces are not copied. */
const SMALL_MESSAGE = 64;

interface Readable {
  push(data: Uint8Array | null): boolean;
}

/**
 * Makes `wire` send the small messages it makes in one turn of the event loop as one chunk, in order: a
 * larger message (or the end) first sends those before it. They go at the end of the turn (setImmediate),
 * when the peer's data that turn has been read and answered.
 */
export function joinSmallMessages(wire: Wire): void {
  const readable = wire as unknown as Readable;
  const push = readable.push;
  let pending: Uint8Array[] = [];
  let bytes = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const data = pending.length === 1 ? pending[0]! : Buffer.concat(pending, bytes);
    pending = [];
    bytes = 0;
    push.call(wire, data);
  };
  readable.push = (data) => {
    if (data && data.length <= SMALL_MESSAGE) {
      pending.push(data);
      bytes += data.length;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      return true;
    }
    flush();
    return push.call(wire, data);
  };
}

interface BlockRequest {
  piece: number;
  offset: number;
  length: number;
}

interface RequestTable {
  _pull(requests: BlockRequest[], piece: number, offset: number, length: number): BlockRequest | null;
  requests: BlockRequest[];
}

/**
 * Requests in flight past which their array is copied once it holds half as many. V8 keeps an array's room
 * when it shrinks, and one that grew past ~16 000 entries (a second's worth at ~250 MB/s) sits where its
 * front cannot be cut off: each shift then moves every entry.
 */
const COMPACT_ABOVE = 8192;

/**
 * Makes `wire` look for a block's request where the last one was found, then from the oldest on, and take it
 * out keeping the others in the order asked (its array copied when it has shrunk a lot: COMPACT_ABOVE); false
 * (and nothing changed) when the wire has no `_pull`. The wire's own removal moved the newest into the gap,
 * so after one block out of order the oldest were scanned past thousands. A peer answers mostly in order, but
 * a whole piece may come before the one asked first (a seeder's disk reads finish out of order): its blocks
 * are then found one after the other at one place.
 */
export function findRequestsInOrder(wire: Wire): boolean {
  const table = wire as unknown as Partial<RequestTable>;
  if (typeof table._pull !== 'function') return false;
  let hint = 0;
  let peak = 0;
  table._pull = (requests, piece, offset, length) => {
    if (requests === table.requests) {
      peak = Math.max(peak, requests.length);
      if (peak > COMPACT_ABOVE && requests.length < peak / 2) {
        // Read afresh at each use, by bittorrent-protocol and webtorrent alike.
        table.requests = requests = requests.slice();
        peak = requests.length;
      }
    }
    let at = hint < requests.length && answers(requests[hint]!, piece, offset, length) ? hint : -1;
    for (let i = 0; at < 0 && i < requests.length; i++)
      if (answers(requests[i]!, piece, offset, length)) at = i;
    if (at < 0) return null;
    const request = requests[at]!;
    hint = at;
    if (at < requests.length - at) {
      // Those before it move up one and the front goes (an O(1) shift).
      for (let j = at; j > 0; j--) requests[j] = requests[j - 1]!;
      requests.shift();
    } else {
      requests.splice(at, 1);
    }
    return request;
  };
  return true;
}

const answers = (request: BlockRequest, piece: number, offset: number, length: number) =>
  request.piece === piece && request.offset === offset && request.length === length;
