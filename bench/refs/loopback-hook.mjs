// Preloaded into webtorrent-cli (node --import): registers loopback-loader.mjs. See that file for why.
import { register } from 'node:module';

register('./loopback-loader.mjs', import.meta.url);
