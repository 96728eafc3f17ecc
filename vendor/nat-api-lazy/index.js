/**
 * NAT-PMP / UPnP port mapping, loaded when webtorrent creates it (UPnP or NAT-PMP on), not when webtorrent
 * loads: a server run with `--no-nat` never loads the ~60 modules behind it. webtorrent calls only these
 * methods, each of which returns a promise in the real one too.
 */
export default class NatAPI {
  #impl;

  constructor(options) {
    this.#impl = import('nat-api-impl').then(({ default: Impl }) => new Impl(options));
    // A failure surfaces at the next call, as the real one's would; not as an unhandled rejection meanwhile.
    this.#impl.catch(() => {});
  }

  async map(...args) {
    return (await this.#impl).map(...args);
  }

  async unmap(...args) {
    return (await this.#impl).unmap(...args);
  }

  async externalIp() {
    return (await this.#impl).externalIp();
  }

  async destroy() {
    return (await this.#impl).destroy();
  }
}
