/**
 * The token kept off the command line (issue 16, item 8): `ps` shows every process's argv to every local
 * user, so STREAMTIDE_TOKEN, --token-file and STREAMTIDE_TOKEN_FILE give it without putting it there.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isolatedFlags, runCli } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'streamtide-token-src-'));
after(() => rmSync(work, { recursive: true, force: true }));
const dir = (name: string) => mkdtempSync(join(work, `${name}-`));

const token = 'kept-out-of-argv-71c2';
const tokenFile = join(work, 'token');
writeFileSync(tokenFile, `${token}\n`);
chmodSync(tokenFile, 0o600);

async function serves(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const cli = runCli(['serve', ...isolatedFlags(dir('serve')), ...args], env);
  try {
    const banner = JSON.parse(await cli.line(/"msg":"streamtide http:\/\//)) as { url: string; msg: string };
    assert.match(banner.msg, /token required/);
    const argv = readFileSync(`/proc/${cli.child.pid}/cmdline`, 'utf8');
    assert.ok(!argv.includes(token), `the token is not in argv: ${argv.replaceAll('\0', ' ')}`);
    const without = await fetch(`${banner.url}/api/torrents`);
    assert.equal(without.status, 401);
    await without.arrayBuffer();
    const withToken = await fetch(`${banner.url}/api/torrents`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(withToken.status, 200);
    await withToken.arrayBuffer();
  } finally {
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exit).code, 0);
  }
}

describe('the token from outside argv', () => {
  it('STREAMTIDE_TOKEN', () => serves([], { STREAMTIDE_TOKEN: token }));
  it('--token-file (its first line)', () => serves(['--token-file', tokenFile], {}));
  it('STREAMTIDE_TOKEN_FILE', () => serves([], { STREAMTIDE_TOKEN_FILE: tokenFile }));

  it('refuses an unreadable or empty token file, and two tokens at once, with exit 2', async () => {
    const empty = join(work, 'empty');
    writeFileSync(empty, '\n');
    for (const [args, message] of [
      [['--token-file', join(work, 'missing')], /--token-file.*cannot read it/],
      [['--token-file', empty], /--token-file.*holds no token/],
      [['--token', 'a', '--token-file', tokenFile], /cannot be used with/],
    ] as const) {
      const cli = runCli(['serve', ...isolatedFlags(dir('bad')), ...args]);
      const { code } = await cli.exit;
      assert.equal(code, 2, cli.stderr());
      assert.match(cli.stderr(), message);
    }
  });

  it('--help says where else the token can come from', async () => {
    const cli = runCli(['serve', '--help']);
    assert.equal((await cli.exit).code, 0);
    assert.match(cli.stdout(), /--token-file <path>/);
    assert.match(cli.stdout(), /STREAMTIDE_TOKEN\b/);
    assert.match(cli.stdout(), /STREAMTIDE_TOKEN_FILE/);
    assert.match(cli.stdout(), /ps/);
  });
});
