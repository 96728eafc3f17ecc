/**
 * The only module that touches webtorrent's private members (lib/torrent.js, lib/webconn.js). Each method used
 * is listed in INTERNAL_MEMBERS (WEBCONN_MEMBERS) and checked, with webtorrent's version, before first use: an
 * upgrade that moves them fails loudly here instead of quietly losing stream priority, dial order, bans or
 * checked web seeds. One field is read too, the torrent's `discovery` (its tracker client), where a missing
 * one only costs the quiet shutdown. Piece verification, too long to share this file, is its sibling
 * webtorrent-internals-verify.ts, through verificationInternals. The behaviour relied on is pinned by the
 * contract tests (test/torrent/webtorrent-internals.test.ts, piece-verify.test.ts): run them before widening
 * SUPPORTED.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BlockRequest, Torrent, Wire } from 'webtorrent';
import TorrentClass from 'webtorrent/lib/torrent.js';
import WebConnClass from 'webtorrent/lib/webconn.js';
import { sentBy } from './webtorrent-internals-piece.js';

/** The versions the contract test has been run against: package.json's `^3.0.21`. */
export const SUPPORTED = { atLeast: [3, 0, 21], below: [4, 0, 0] } as const;
/** Used by piece verification (webtorrent-internals-verify.ts). */
const VERIFY = [
  '_request',
  '_verifyPiece',
  '_verifyPiecesUsingBitfield',
  '_markVerified',
  '_checkDone',
  '_update',
];
export const INTERNAL_MEMBERS = [
  '_select',
  '_deselect',
  '_addPeer',
  '_onMetadata',
  '_destroy',
  '_updateWire',
  ...VERIFY,
] as const;
/** lib/webconn.js, a web seed's connection: its HTTP requests are made by this one method. */
export const WEBCONN_MEMBERS = ['httpRequest'] as const;

export type Transport = 'tcp' | 'utp';
/** A transport replaces the proposed one; 'refuse' drops the dial; 'as-is' passes the proposal on. */
export type DialDecision = Transport | 'refuse' | 'as-is';

export interface Dial {
  /** 'host:port' (IPv6 hosts bracketed). */
  addr: string;
  /** webtorrent's choice, or what an earlier filter changed it to. */
  proposed: Transport;
  utpEnabled: boolean;
  /** Who named the address: 'manual' (x.pe, addPeer), 'tracker', 'dht', 'lsd' or 'ut_pex'. */
  source: string;
}

export interface DialFilter {
  decide(dial: Dial): DialDecision;
  /** Told once webtorrent took the dial (it drops duplicates, invalid addresses, dials of a paused torrent). */
  dialled?(addr: string, transport: Transport): void;
}

interface Internals {
  client?: { utp?: boolean };
  _select(from: number, to: number, priority: number, notify: null, isStreamSelection: true): void;
  _deselect(from: number, to: number, isStreamSelection: true): void;
  _addPeer(peer: unknown, type: Transport, source?: string): unknown;
}

/** Makes one web seed request: `length` bytes at `offset` of piece `pieceIndex`. */
export type FetchPiece = (pieceIndex: number, offset: number, length: number) => Promise<Uint8Array>;

/** Throws unless `version` is in SUPPORTED and `prototype` has every INTERNAL_MEMBERS function. */
export function checkWebtorrentVersion(version: string, prototype: object): void {
  const parsed = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  const numbers = parsed ? parsed.slice(1).map(Number) : undefined;
  if (!numbers || compare(numbers, SUPPORTED.atLeast) < 0 || compare(numbers, SUPPORTED.below) >= 0) {
    throw new Error(
      `webtorrent ${version} is not supported: streamtide uses its private members and is verified with ` +
        `>=${SUPPORTED.atLeast.join('.')} <${SUPPORTED.below.join('.')}`,
    );
  }
  const members = prototype as Record<string, unknown>;
  const missing = INTERNAL_MEMBERS.filter((name) => typeof members[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`webtorrent ${version} lacks the private members streamtide uses: ${missing.join(', ')}`);
  }
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

let checked = false;

/** Checks the installed webtorrent once; throws on a version or Torrent class we have not verified. */
export function assertSupportedWebtorrent(): void {
  if (checked) return;
  const file = createRequire(import.meta.url).resolve('webtorrent/package.json');
  const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
  checkWebtorrentVersion(version, TorrentClass.prototype);
  const webConn = WebConnClass.prototype as unknown as Record<string, unknown>;
  const missing = WEBCONN_MEMBERS.filter((name) => typeof webConn[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`webtorrent ${version}'s web seed connection lacks ${missing.join(', ')}`);
  }
  checked = true;
}

/** webtorrent's web seed connection with its HTTP requests made by `fetchPiece` (see webSeedConnection). */
class FetchedWebConn extends WebConnClass {
  fetchPiece: FetchPiece = () => Promise.reject(new Error('no fetch given'));

  override httpRequest(
    pieceIndex: number,
    offset: number,
    length: number,
    cb: (err: Error | null, data?: Uint8Array) => void,
  ): void {
    this.fetchPiece(pieceIndex, offset, length).then(
      (data) => cb(null, data),
      (err: Error) => cb(err),
    );
  }
}

/**
 * A web seed connection for `url` (give it to torrent.addWebSeed) whose requests `fetchPiece` makes:
 * webtorrent's own fetch cannot be told where it may connect. The rest — the fake peer that has every
 * piece, retries after a failure — stays webtorrent's.
 */
export function webSeedConnection(url: string, torrent: Torrent, fetchPiece: FetchPiece): object {
  assertSupportedWebtorrent();
  const connection = new FetchedWebConn(url, torrent);
  connection.fetchPiece = fetchPiece;
  return connection;
}

function internals(torrent: Torrent): Internals {
  assertSupportedWebtorrent();
  return torrent as unknown as Internals;
}

/** `torrent` as the adapter's sibling files (-verify, -hooks) use it, after the checks above. */
export function verificationInternals<T>(torrent: Torrent): T {
  return internals(torrent) as unknown as T;
}

/**
 * A "stream selection": kept apart from whole-file selections (which `deselect` splits and merges), so it
 * can be removed exactly by deselectStream with the same (from, to).
 */
export function selectStream(torrent: Torrent, from: number, to: number, priority: number): void {
  internals(torrent)._select(from, to, priority, null, true);
}

export function deselectStream(torrent: Torrent, from: number, to: number): void {
  internals(torrent)._deselect(from, to, true);
}

const dialFilters = new WeakMap<Torrent, DialFilter[]>();

/**
 * Runs `filter` on every outgoing dial by address of `torrent`: webtorrent sends each one (addPeer, its
 * reconnects, its uTP-to-TCP fallback) through `_addPeer`. Filters run in the order added, each seeing the
 * transport chosen so far; any 'refuse' drops the dial. One patch per torrent, however many filters.
 */
export function interceptDials(torrent: Torrent, filter: DialFilter): void {
  const existing = dialFilters.get(torrent);
  if (existing) {
    existing.push(filter);
    return;
  }
  const target = internals(torrent);
  if (typeof target._addPeer !== 'function') throw new Error('this torrent has no _addPeer to intercept');
  const filters = [filter];
  dialFilters.set(torrent, filters);
  const addPeer = target._addPeer;
  target._addPeer = (peer, type, source) => {
    // WebRTC peers arrive as connections, not addresses: nothing to choose.
    if (typeof peer !== 'string') return addPeer.call(target, peer, type, source);
    let transport = type;
    const utpEnabled = target.client?.utp === true;
    for (const next of filters) {
      const decision = next.decide({
        addr: peer,
        proposed: transport,
        utpEnabled,
        source: source ?? 'manual',
      });
      if (decision === 'refuse') return null;
      if (decision !== 'as-is') transport = decision;
    }
    const added = addPeer.call(target, peer, transport, source);
    if (added) for (const next of filters) next.dialled?.(peer, transport);
    return added;
  };
}

/**
 * bittorrent-protocol keeps each of our requests with the callback webtorrent gave it (its `Request`). Not
 * a prototype member INTERNAL_MEMBERS could check: each use checks the shape, the contract test pins it.
 */
interface PendingRequest extends BlockRequest {
  callback?: unknown;
}

/**
 * Completes `wire`'s pending request for `block` with `chunk`, a copy of the block that arrived from
 * `sender` (another peer, or `wire` itself on an earlier request): webtorrent's callback for the request gets
 * the chunk (so the block lands in its piece, which is hashed and stored as usual, and its reservation is
 * released), credited to `sender` should the piece fail its hash, and the peer is told to cancel. False
 * when `wire` has no such request, or one of a shape this was not verified with.
 */
export function answerRequest(wire: Wire, block: BlockRequest, chunk: Uint8Array, sender: Wire): boolean {
  const { piece, offset, length } = block;
  if (chunk.length !== length) return false;
  const pending = (wire.requests as PendingRequest[]).find(
    (r) => r.piece === piece && r.offset === offset && r.length === length,
  );
  const callback = pending?.callback;
  if (!pending || typeof callback !== 'function') return false;
  // wire.cancel takes the first matching request (this one) off the wire, tells the peer and calls back
  // with an error: that error must not reach webtorrent, which would ask for the block again.
  pending.callback = () => {};
  wire.cancel(piece, offset, length);
  sentBy(chunk, sender);
  callback(null, chunk);
  return true;
}

interface Discovery {
  tracker?: { destroy(cb?: () => void): void } | null;
}

/**
 * Closes `torrent`'s tracker client without the 'stopped' announce webtorrent sends every tracker when it
 * destroys a torrent: at shutdown that is a request per tracker of every torrent, made on the event loop
 * before the process may exit. A tracker forgets a peer that stops announcing anyway.
 */
export function closeTrackersQuietly(torrent: Torrent): void {
  const discovery = (internals(torrent) as { discovery?: Discovery | null }).discovery;
  const tracker = discovery?.tracker;
  if (!discovery || !tracker) return;
  // Taken from discovery first: its destroy announces 'stopped' through whatever tracker it still holds.
  discovery.tracker = null;
  tracker.destroy();
}
