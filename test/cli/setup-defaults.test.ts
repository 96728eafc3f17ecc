/**
 * The README's `npm start`: the server on http://127.0.0.1:8977 with its downloads under ~/.cache/streamtide,
 * `STREAMTIDE_DIR` moving them and `--dir` winning over both; SIGINT stops it with exit 0.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { switchFlags } from '../../src/cli/program.js';
import { STATE_FILE } from '../../src/torrent/state-store.js';
import { runCli } from '../helpers/cli.js';
import { makeMedia } from '../helpers/media.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const startScript = join(root, 'scripts', 'start.mjs');
const work = mkdtempSync(join(tmpdir(), 'streamtide-setup-'));
after(() => rmSync(work, { recursive: true, force: true }));

// Nothing but loopback: the defaults under test are the HTTP side's, not the DHT's.
const offline = ['--no-dht', '--no-lsd', '--no-nat', '--torrent-port', '0'];
const infoHash = 'fedcba9876543210fedcba9876543210fedcba98';

/** Runs `npm start` (its script, as package.json names it) with `args` and `env`; adds a torrent; stops it. */
async function startAndAdd(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const cli = runCli(args, { STREAMTIDE_DIR: '', ...env }, startScript);
  try {
    const banner = JSON.parse(await cli.line(/"msg":"streamtide http:\/\//)) as { url: string };
    const health = await fetch(`${banner.url}/api/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { ok: boolean }).ok, true);
    const added = await fetch(`${banner.url}/api/torrents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ source: infoHash }),
    });
    assert.equal(added.status, 201);
    await added.arrayBuffer();
    return banner.url;
  } finally {
    cli.child.kill('SIGINT');
    assert.deepEqual(await cli.exit, { code: 0, signal: null }, cli.stderr());
  }
}

const savedIn = (dir: string) =>
  existsSync(join(dir, STATE_FILE)) && readFileSync(join(dir, STATE_FILE), 'utf8').includes(infoHash);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('npm start', () => {
  it('is the start script, which runs serve', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: { start: string };
    };
    assert.equal(pkg.scripts.start, 'node scripts/start.mjs');
  });

  it("tells a flag's value from a source by the program's own flags", () => {
    const switches = switchFlags();
    for (const flag of ['--no-dht', '--quiet', '--json', '--list', '--dlna', '--allow-lan', '-h', '-v'])
      assert.ok(switches.includes(flag), `${flag} takes no value`);
    for (const flag of ['--host', '--dir', '--file', '--player', '--download-limit', '--token-file'])
      assert.ok(!switches.includes(flag), `${flag} takes a value`);
  });

  it('serves on 127.0.0.1:8977 and keeps its downloads under ~/.cache/streamtide', async (t) => {
    if (!(await portFree(8977))) return t.skip('port 8977 is in use on this machine');
    const home = mkdtempSync(join(work, 'home-'));
    const url = await startAndAdd(offline, { HOME: home });
    assert.equal(url, 'http://127.0.0.1:8977');
    assert.ok(savedIn(join(home, '.cache', 'streamtide')), 'the torrent is saved under ~/.cache/streamtide');
  });

  it('keeps them in STREAMTIDE_DIR when set, and in --dir over both', async () => {
    const home = mkdtempSync(join(work, 'home-'));
    const envDir = join(work, 'from-env');
    await startAndAdd(['--port', '0', ...offline], { HOME: home, STREAMTIDE_DIR: envDir });
    assert.ok(savedIn(envDir), 'saved in STREAMTIDE_DIR');
    assert.ok(!existsSync(join(home, '.cache', 'streamtide')), 'nothing under ~/.cache');

    const flagDir = join(work, 'from-flag');
    rmSync(envDir, { recursive: true, force: true });
    await startAndAdd(['--port', '0', '--dir', flagDir, ...offline], { HOME: home, STREAMTIDE_DIR: envDir });
    assert.ok(savedIn(flagDir), 'saved in --dir');
    assert.ok(!savedIn(envDir), 'not in STREAMTIDE_DIR');
  });

  it('plays a source named after its flags, as `streamtide SOURCE` does', async () => {
    const video = await makeMedia('mp4');
    const dir = join(work, 'play');
    const cli = runCli(
      ['--port', '0', '--dir', dir, '--quiet', ...offline, '--player', 'none', video],
      {},
      startScript,
    );
    try {
      const stream = await cli.line(/^stream: http:\/\/127\.0\.0\.1:\d+\/stream\//);
      const response = await fetch(stream.slice('stream: '.length), { headers: { Range: 'bytes=0-99' } });
      assert.equal(response.status, 206);
      assert.equal((await response.arrayBuffer()).byteLength, 100);
    } finally {
      cli.child.kill('SIGINT');
      assert.deepEqual(await cli.exit, { code: 0, signal: null }, cli.stderr());
    }
  });
});
