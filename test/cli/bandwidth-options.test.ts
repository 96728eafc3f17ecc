/**
 * --download-limit and --upload-limit (and their env vars): what a rate may be, and that `serve` runs its
 * engine with it (the engine's own report, logged once at start). Exit 2 on a bad value, as for any flag.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseRate } from '../../src/cli/options.js';
import { runtimeOptions } from '../../src/cli/serve.js';
import { isolatedFlags, runCli } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'streamtide-caps-cli-'));
const dir = (name: string) => mkdtempSync(join(work, `${name}-`));
after(() => rmSync(work, { recursive: true, force: true }));

describe('parseRate', () => {
  it('reads bytes per second in the decimal units of --max-cache', () => {
    const cases: Array<[string, number]> = [
      ['2M', 2_000_000],
      ['500K', 500_000],
      ['500k', 500_000],
      ['1.5M', 1_500_000],
      ['2MB', 2_000_000],
      ['2M/s', 2_000_000],
      ['1G', 1_000_000_000],
      ['1000', 1000],
      [' 64K ', 64_000],
    ];
    for (const [text, rate] of cases) assert.equal(parseRate(text), rate, text);
  });

  it('refuses anything but a positive finite rate', () => {
    for (const text of ['0', '0K', '0.4', '-1', '-2M', 'abc', '', '2X', '1e6', 'Infinity', 'NaN', '2M/h']) {
      assert.throws(() => parseRate(text), /positive rate in bytes per second/, text);
    }
  });

  it('reaches the runtime options that both serve and SOURCE start the engine with', () => {
    const flags = { host: '127.0.0.1', dir: '/tmp/x', dht: false, lsd: false, nat: false };
    const options = runtimeOptions({ ...flags, downloadLimit: 500_000, uploadLimit: 2_000_000 }, false);
    assert.equal(options.downloadLimit, 500_000);
    assert.equal(options.uploadLimit, 2_000_000);
    const unlimited = runtimeOptions(flags, true);
    assert.equal(unlimited.downloadLimit, undefined);
    assert.equal(unlimited.uploadLimit, undefined);
  });
});

/** Starts `serve` with stdout a pipe and returns the engine's bandwidth line (JSON), then stops it. */
async function servedLimits(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown>> {
  const cli = runCli(['serve', ...isolatedFlags(dir('serve')), ...args], env);
  try {
    await cli.line(/"msg":"streamtide http:\/\//);
    const line = JSON.parse(await cli.line(/"msg":"bandwidth capped/)) as Record<string, unknown>;
    cli.child.kill('SIGINT');
    assert.equal((await cli.exit).code, 0);
    return line;
  } finally {
    cli.child.kill('SIGKILL');
  }
}

describe('the CLI', () => {
  it('serve runs its engine with both caps', async () => {
    const line = await servedLimits(['--download-limit', '500K', '--upload-limit', '1M']);
    assert.equal(line.downloadLimit, 500_000);
    assert.equal(line.uploadLimit, 1_000_000);
    assert.match(String(line.msg), /download 500 kB\/s, upload 1\.0 MB\/s/);
  });

  it('takes a cap from the environment, the flag winning over it', async () => {
    const line = await servedLimits(['--upload-limit', '300K'], {
      STREAMTIDE_DOWNLOAD_LIMIT: '2M',
      STREAMTIDE_UPLOAD_LIMIT: '9M',
    });
    assert.equal(line.downloadLimit, 2_000_000);
    assert.equal(line.uploadLimit, 300_000);
  });

  it('says nothing of caps when there are none', async () => {
    const cli = runCli(['serve', ...isolatedFlags(dir('none'))]);
    try {
      await cli.line(/"msg":"streamtide http:\/\//);
      cli.child.kill('SIGINT');
      assert.equal((await cli.exit).code, 0);
      assert.doesNotMatch(cli.stdout(), /bandwidth/);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  const bad: Array<[string, string[], NodeJS.ProcessEnv]> = [
    ['serve --download-limit 0', ['serve', '--download-limit', '0'], {}],
    ['serve --upload-limit fast', ['serve', '--upload-limit', 'fast'], {}],
    ['SOURCE --download-limit -1M', ['./movie.mkv', '--download-limit=-1M'], {}],
    ['SOURCE --upload-limit 2X', ['./movie.mkv', '--upload-limit', '2X'], {}],
    ['a bad STREAMTIDE_UPLOAD_LIMIT', ['serve'], { STREAMTIDE_UPLOAD_LIMIT: 'lots' }],
  ];
  for (const [what, args, env] of bad) {
    it(`exits 2 with the reason on ${what}`, async () => {
      const cli = runCli([...args, ...isolatedFlags(dir('bad'))], env);
      try {
        assert.equal((await cli.exit).code, 2, cli.stderr());
        assert.match(cli.stderr(), /^streamtide: option '--(download|upload)-limit <rate>'/);
        assert.match(cli.stderr(), /positive rate in bytes per second such as 500K or 2M/);
      } finally {
        cli.child.kill('SIGKILL');
      }
    });
  }

  it('accepts the caps on SOURCE too (the source is then what fails)', async () => {
    const cli = runCli(['./no/such/movie.mkv', '--download-limit', '2M', '--upload-limit', '500K']);
    assert.equal((await cli.exit).code, 2);
    assert.match(cli.stderr(), /no such file/);
  });

  it('documents both flags, their units and env vars in --help, for SOURCE and serve', async () => {
    for (const args of [['--help'], ['serve', '--help']]) {
      const help = runCli(args);
      assert.equal((await help.exit).code, 0);
      // Commander wraps the help to the width it guesses: read it as one line.
      const text = help.stdout().replace(/\s+/g, ' ');
      for (const flag of ['download', 'upload']) {
        assert.match(text, new RegExp(`--${flag}-limit <rate> cap on ${flag} speed over all torrents`));
        assert.match(
          text,
          new RegExp(`500K, 2M \\(M = 10\\^6\\) \\(env: STREAMTIDE_${flag.toUpperCase()}_LIMIT\\)`),
        );
      }
    }
  });
});
