/** The built CLI on local files and bad input: URLs printed, the stream plays, signals stop it cleanly. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isolatedFlags, runCli } from '../helpers/cli.js';
import { ffprobe, makeMedia } from '../helpers/media.js';
import { childProcesses } from '../helpers/processes.js';
import { serveCli } from '../reliability/support.js';

const dir = mkdtempSync(join(tmpdir(), 'streamtide-cli-'));
// A documentation address (RFC 5737) that no interface of this machine has.
const local = new Set(
  Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)),
);
const foreignAddress = ['203.0.113.77', '198.51.100.77', '192.0.2.77'].find(
  (address) => !local.has(address),
)!;

const ffmpegOf = (pid: number) => childProcesses('ffmpeg', pid);

describe('streamtide SOURCE with a local file', () => {
  it('prints stream: and player: URLs, the stream is valid video, SIGINT exits 0 with no FFmpeg left', async () => {
    const avi = await makeMedia('avi-mpeg4-mp3', { seconds: 20 });
    const cli = runCli([avi, ...isolatedFlags(dir), '--quiet']);
    try {
      const streamLine = await cli.line(/^stream: /);
      const playerLine = await cli.line(/^player: /);
      const streamUrl = streamLine.slice('stream: '.length);
      assert.match(streamUrl, /^http:\/\/127\.0\.0\.1:\d+\/stream\/[0-9a-f]{40}\/0$/);
      assert.match(playerLine, /^player: http:\/\/127\.0\.0\.1:\d+\/play\/[0-9a-f]{40}\/0$/);
      const page = await fetch(playerLine.slice('player: '.length));
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      await page.arrayBuffer();

      const response = await fetch(streamUrl);
      assert.equal(response.headers.get('x-stream-mode'), 'transcode');
      const reader = response.body!.getReader();
      const first = await reader.read();
      assert.ok(first.value && first.value.length > 0);
      assert.ok(ffmpegOf(cli.child.pid!).length > 0, 'an FFmpeg serves the open stream');
      cli.child.kill('SIGINT');
      const { code } = await cli.exit;
      assert.equal(code, 0);
      assert.deepEqual(ffmpegOf(cli.child.pid!), []);
      await reader.cancel().catch(() => undefined);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('streams a complete valid file (remux of an MKV)', async () => {
    const mkv = await makeMedia('mkv-h264-aac');
    const cli = runCli([mkv, ...isolatedFlags(dir), '--quiet']);
    try {
      const url = (await cli.line(/^stream: /)).slice('stream: '.length);
      const response = await fetch(url);
      assert.equal(response.headers.get('x-stream-mode'), 'remux');
      const probed = await ffprobe(Buffer.from(await response.arrayBuffer()));
      assert.deepEqual(
        probed.streams.map((s) => s.codec_name),
        ['h264', 'aac'],
      );
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal((await cli.exit).code, 0);
    }
  });

  it('plays an audio file (an album track): no video needed, the FLAC served as it is', async () => {
    const flac = await makeMedia('flac');
    const cli = runCli([flac, ...isolatedFlags(dir), '--quiet']);
    try {
      const url = (await cli.line(/^stream: /)).slice('stream: '.length);
      const response = await fetch(url);
      assert.deepEqual(
        [response.status, response.headers.get('content-type'), response.headers.get('x-stream-mode')],
        [200, 'audio/flac', 'direct'],
      );
      const probed = await ffprobe(Buffer.from(await response.arrayBuffer()));
      assert.deepEqual(
        probed.streams.map((s) => s.codec_name),
        ['flac'],
      );
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal((await cli.exit).code, 0);
    }
  });
});

describe('bad arguments exit 2 with one clear line', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a missing file', ['./no/such/movie.avi'], /no such file/],
    ['a bad magnet', ['magnet:?xt=urn:btih:nothex'], /cannot open magnet/],
    ['a bad port', ['serve', '--port', 'eighty'], /port/],
    ['an unknown flag', ['serve', '--frobnicate'], /unknown option/],
    [
      'a --host of another machine',
      ['serve', '--host', foreignAddress, '--token', 't'],
      /--host .*not an address/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const cli = runCli([...args, ...isolatedFlags(dir)]);
      try {
        const { code } = await cli.exit;
        assert.equal(code, 2, cli.stderr());
        assert.match(cli.stderr(), message);
      } finally {
        cli.child.kill('SIGKILL');
      }
    });
  }

  it('a --dir that is a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const cli = runCli(['serve', ...isolatedFlags(dir), '--dir', file]);
    try {
      assert.equal((await cli.exit).code, 2, cli.stderr());
      assert.match(cli.stderr(), /--dir .*a-file: not a folder/);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('takes all of 127.0.0.0/8 as loopback: 127.0.0.2 needs no token', async () => {
    const { cli, url } = await serveCli(mkdtempSync(join(tmpdir(), 'streamtide-cli-')), {}, [
      '--host',
      '127.0.0.2',
    ]);
    try {
      assert.equal(new URL(url).hostname, '127.0.0.2');
      const listed = await fetch(`${url}/api/torrents`);
      assert.equal(listed.status, 200);
      assert.deepEqual(await listed.json(), []);
    } finally {
      cli.child.kill('SIGINT');
      assert.equal((await cli.exit).code, 0, cli.stderr());
    }
  });

  it('refuses to listen off loopback without a token', async () => {
    const cli = runCli(['serve', ...isolatedFlags(dir), '--host', '0.0.0.0']);
    try {
      const { code } = await cli.exit;
      assert.equal(code, 2);
      assert.match(cli.stderr(), /without a token/);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('prints help and version', async () => {
    const help = runCli(['--help']);
    assert.equal((await help.exit).code, 0);
    assert.match(help.stdout(), /Examples:/);
    const version = runCli(['--version']);
    assert.equal((await version.exit).code, 0);
    assert.match(version.stdout(), /^\d+\.\d+\.\d+/);
  });
});
