/**
 * Where a torrent's own data may send the engine. Its trackers (announce, tr=), web seeds (url-list, ws=),
 * exact sources (xs=) and peer addresses (x.pe, tracker and DHT answers) are whoever made it's choice: a
 * server must not become their way into the network it sits in (SSRF). The policy (address-policy.ts) is
 * checked on the address actually connected to — after DNS, at every redirect hop — for HTTP trackers and web
 * seeds, which go through one undici dispatcher; peers are checked as they are dialled.
 */
import { isIP } from 'node:net';
import type { Agent, buildConnector } from 'undici';
import type WebTorrent from 'webtorrent';
import type { Torrent } from 'webtorrent';
import { checkedLookup, type OutboundPolicy, refusal } from './address-policy.js';
import { LazyDispatcher } from './lazy-dispatcher.js';
import { fetchWebSeedPiece } from './web-seeds.js';
import { interceptDials, webSeedConnection } from './webtorrent-internals.js';

/** Refusals are reported once per target, and only so many: a hostile tracker may list thousands. */
const MAX_REPORTED = 200;

export class OutboundGuard {
  /** What HTTP trackers and web seeds connect through (undici is loaded by the first of them). */
  readonly dispatcher: LazyDispatcher;
  readonly #reported = new Set<string>();

  constructor(
    private readonly policy: OutboundPolicy,
    private readonly report: (message: string) => void,
  ) {
    this.dispatcher = new LazyDispatcher((undici) => this.#agent(undici));
  }

  #agent({ Agent, buildConnector }: typeof import('undici')): Agent {
    const check = (address: string) => {
      const why = refusal(this.policy, address);
      if (why) throw Object.assign(new Error(why), { code: 'EADDRREFUSED' });
    };
    const connect = buildConnector({ lookup: checkedLookup(check) } as buildConnector.BuildOptions);
    return new Agent({
      connect: (options, callback) => {
        const literal = options.hostname.replace(/^\[|\]$/g, '');
        try {
          // A literal address is connected to without a lookup: checked here.
          if (isIP(literal)) check(literal);
        } catch (err) {
          this.refused(`${options.hostname}:${options.port}`, (err as Error).message);
          return callback(err as Error, null);
        }
        connect(options, (err, socket) => {
          if (!err) return callback(null, socket!);
          if ((err as { code?: string }).code === 'EADDRREFUSED') {
            this.refused(`${options.hostname}:${options.port}`, err.message);
          }
          callback(err, null);
        });
      },
    });
  }

  /** Guards every torrent `client` adds (its own web seeds must be off: webSeeds: false). */
  watch(client: WebTorrent): void {
    client.on('add', (torrent: Torrent) => this.guard(torrent));
  }

  close(): Promise<void> {
    return this.dispatcher.destroy();
  }

  private guard(torrent: Torrent): void {
    interceptDials(torrent, {
      // Local service discovery finds peers on the LAN by design (and --no-lsd turns it off).
      decide: ({ addr, source }) => {
        if (source === 'lsd') return 'as-is';
        const host = /^\[?([^\]]+?)\]?:\d+$/.exec(addr)?.[1];
        const why = host === undefined ? undefined : refusal(this.policy, host);
        if (!why) return 'as-is';
        this.refused(`peer ${addr}`, why);
        return 'refuse';
      },
    });
    torrent.once('infoHash', () => {
      // Trackers named by an address the policy refuses (UDP ones too, which the dispatcher never sees).
      torrent.announce = torrent.announce.filter((url) => {
        const why = literalRefusal(this.policy, url);
        if (why) this.refused(`tracker ${url}`, why);
        return !why;
      });
      // webtorrent would fetch exact sources with its own unchecked fetch (and no size cap).
      if (torrent.xs) {
        this.refused(`exact source (xs) ${String(torrent.xs)}`, 'not fetched');
        delete torrent.xs;
      }
    });
    torrent.once('metadata', () => {
      for (const url of torrent.urlList ?? []) {
        if (!/^https?:\/\/./i.test(url)) continue;
        torrent.addWebSeed(
          webSeedConnection(url, torrent, (piece, offset, length) =>
            fetchWebSeedPiece({ torrent, url, dispatcher: this.dispatcher.agent }, piece, offset, length),
          ),
        );
      }
    });
  }

  private refused(target: string, why: string): void {
    if (this.#reported.has(target) || this.#reported.size >= MAX_REPORTED) return;
    this.#reported.add(target);
    this.report(`not connecting to ${target}, which a torrent supplied: ${why}`);
  }
}

function literalRefusal(policy: OutboundPolicy, url: string): string | undefined {
  let host: string;
  try {
    // Parsed as http: so that udp://2130706433 reads as the 127.0.0.1 it is to the resolver.
    host = new URL(url.replace(/^[a-z][a-z0-9+.-]*:/i, 'http:')).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined; // webtorrent reports and skips it
  }
  return isIP(host) ? refusal(policy, host) : undefined;
}
