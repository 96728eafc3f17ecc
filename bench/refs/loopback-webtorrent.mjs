// webtorrent as webtorrent-cli would get it, with peer discovery beyond the given peers turned off, and
// uTP too when the bench asks (STREAMTIDE_BENCH_UTP=0: a swarm of TCP-only seeders, see webtorrent-cli.ts).
import WebTorrent from 'webtorrent';

export default class LoopbackWebTorrent extends WebTorrent {
  constructor(opts = {}) {
    const utp = process.env.STREAMTIDE_BENCH_UTP === '0' ? { utp: false } : {};
    super({ ...opts, dht: false, lsd: false, natUpnp: false, natPmp: false, utPex: false, ...utp });
  }
}
