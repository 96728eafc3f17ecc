// webtorrent-cli imports this only for --airplay, which the benchmarks never pass.
export default {
  createBrowser() {
    throw new Error('AirPlay is not available (airplay-js is stubbed out in streamtide)');
  },
};
