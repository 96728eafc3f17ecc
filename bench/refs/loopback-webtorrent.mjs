// webtorrent as webtorrent-cli would get it, with peer discovery beyond the given peers turned off.
import WebTorrent from 'webtorrent';

export default class LoopbackWebTorrent extends WebTorrent {
  constructor(opts = {}) {
    super({ ...opts, dht: false, lsd: false, natUpnp: false, natPmp: false, utPex: false });
  }
}
