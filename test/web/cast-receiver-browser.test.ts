/**
 * A Chromecast plays HLS in its receiver: a web page of another site (Google's) that fetches the playlists and
 * segments with CORS, as hls.js does. Here that page is served from 127.0.0.2 to a real Chromium and plays,
 * with hls.js, the capability URL `--cast chromecast` hands out (cast/stream-choice.ts) from a server with a
 * token on 127.0.0.1. The capability is what opens the file, so the page may read it although it is
 * cross-site; without one, cross-site requests stay refused (cross-site.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { after, before, it } from 'node:test';
import { type BrowserSession, launchBrowser } from '../helpers/browser.js';
import { makeMedia } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const token = 'cast-receiver-token';
const hlsJs = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'));
const page = `<!doctype html><video muted playsinline></video><script src="/hls.js"></script><script>
  window.hlsErrors = [];
  const video = document.querySelector('video');
  const hls = new Hls();
  hls.on(Hls.Events.ERROR, (_event, data) => window.hlsErrors.push(data.details + ' ' + (data.response?.code ?? '')));
  hls.loadSource(new URLSearchParams(location.search).get('src'));
  hls.attachMedia(video);
  video.play().catch(() => {});
</script>`;

let server: TestServer;
let receiver: Server;
let receiverOrigin: string;
let browser: BrowserSession;
let infoHash: string;

before(async () => {
  server = await startTestServer({ token });
  infoHash = (await server.catalog.addLocalFile(await makeMedia('mkv-h264-aac', { seconds: 12 }))).infoHash;
  receiver = createServer((request, response) => {
    const body = request.url === '/hls.js' ? hlsJs : page;
    response.writeHead(200, { 'content-type': request.url === '/hls.js' ? 'text/javascript' : 'text/html' });
    response.end(body);
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.2', resolve));
  const address = receiver.address();
  receiverOrigin = `http://127.0.0.2:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  receiver?.close();
  await server?.close();
});

it('a receiver page of another site plays the HLS a capability opens', { timeout: 120_000 }, async () => {
  const cap = server.app.capabilities!.issue({ kind: 'file', infoHash, index: 0 });
  // What stream-choice.ts sends a Chromecast.
  const src = `${server.url}/hls/${infoHash}/0/master.m3u8?caps=&cap=${cap}`;
  const answers: Array<{ url: string; status: number; cors: string | null }> = [];
  browser.page.on('response', (response) => {
    if (response.url().startsWith(server.url)) {
      answers.push({
        url: response.url(),
        status: response.status(),
        cors: response.headers()['access-control-allow-origin'] ?? null,
      });
    }
  });
  await browser.page.goto(`${receiverOrigin}/?src=${encodeURIComponent(src)}`);
  // Bounded only for a broken run: playing, or an error hls.js cannot get past.
  await browser.page.waitForFunction(
    () => {
      const v = document.querySelector('video')!;
      const errors = (window as unknown as { hlsErrors: string[] }).hlsErrors;
      return v.currentTime > 1.5 || v.error !== null || errors.some((e) => /manifest|frag|level/i.test(e));
    },
    undefined,
    { timeout: 60_000, polling: 100 },
  );
  const state = await browser.page.evaluate(() => ({
    time: document.querySelector('video')!.currentTime,
    errors: (window as unknown as { hlsErrors: string[] }).hlsErrors,
  }));
  assert.ok(state.time > 1.5, `the receiver plays: ${JSON.stringify({ state, answers })}`);
  assert.ok(answers.some((a) => a.url.includes('.m4s?')));
  for (const answer of answers) {
    assert.equal(answer.status, 200, answer.url);
    assert.equal(answer.cors, '*', `${answer.url} may be read by the receiver`);
    assert.ok(!answer.url.includes(token), 'the token never reaches the receiver');
  }
});

it('a cross-site request whose capability does not open it is still refused, and not readable', async () => {
  const other = server.app.capabilities!.issue({ kind: 'file', infoHash, index: 1 });
  for (const cap of ['not-a-capability', other]) {
    const answer = await new Promise<{ status: number; cors: unknown }>((resolve, reject) => {
      const url = `${server.url}/hls/${infoHash}/0/master.m3u8?cap=${cap}`;
      request(url, { headers: { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'cors' } }, (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0, cors: response.headers['access-control-allow-origin'] });
      })
        .on('error', reject)
        .end();
    });
    assert.deepEqual(answer, { status: 403, cors: undefined }, cap);
  }
});
