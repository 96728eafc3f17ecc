// The real package reads Node's Headers, Request, FormData... as it loads, which loads Node's own fetch
// stack (~10 MiB) into every server. Its importers (webtorrent, bittorrent-tracker, parse-torrent,
// load-ip-set, nat-api) only call fetch: undici's, required at the first call (an HTTP tracker's announce).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let undiciFetch;

export function fetch(input, init) {
  undiciFetch ??= require('undici').fetch;
  return undiciFetch(input, init);
}

export default fetch;
