/**
 * `--cast dlna:NAME` against a real renderer: gmediarender (GStreamer, fake sinks that keep real time) in a
 * network namespace of the test's own, so SSDP never leaves it. Its log is its own account of what it
 * played: the URL, PLAYING, the position moving, STOPPED after Ctrl-C.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cliPath } from '../helpers/cli.js';
import { makeMedia } from '../helpers/media.js';
import { createNetns, type Netns, netnsSupport } from '../helpers/netns.js';
import { descendsFrom } from '../helpers/processes.js';

const noRenderer =
  spawnSync('gmediarender', ['--version']).status === 0 ? undefined : 'gmediarender is not installed';
const skip = netnsSupport() ?? noRenderer;
const token = 'cast-test-token';
const nsSeeder = fileURLToPath(new URL('../helpers/ns-seeder.ts', import.meta.url));

/** Collects a process's output; waits (bounded) for a pattern in it. */
function watchOutput(child: ChildProcess) {
  let text = '';
  child.stdout?.on('data', (chunk) => (text += chunk));
  child.stderr?.on('data', (chunk) => (text += chunk));
  return {
    text: () => text,
    /** Looks only at what came after offset `from`. */
    async waitFor(pattern: RegExp, from = 0, deadlineMs = 30_000): Promise<RegExpMatchArray> {
      const until = Date.now() + deadlineMs;
      for (;;) {
        const match = text.slice(from).match(pattern);
        if (match) return match;
        if (Date.now() > until || child.exitCode !== null) {
          throw new Error(`never saw ${pattern} in:\n${text.slice(-3000)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/** A process's command line, for a message (empty once it is gone). */
function commandLine(pid: string): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`;
  } catch {
    return pid;
  }
}

/** The renderer's reported positions, in seconds, in the order it reported them. */
function positions(log: string): number[] {
  return [...log.matchAll(/RelativeTimePosition: (\d+):(\d+):(\d+)/g)].map(
    ([, h, m, s]) => Number(h) * 3600 + Number(m) * 60 + Number(s),
  );
}

describe('streamtide SOURCE --cast dlna', { skip }, () => {
  let ns: Netns;
  let renderer: ChildProcess;
  let rendererLog: ReturnType<typeof watchOutput>;
  const dir = mkdtempSync(join(tmpdir(), 'streamtide-cast-'));

  before(async () => {
    ns = createNetns();
    // fakesink with sync keeps real time, so the position moves as on a TV.
    renderer = ns.spawn(
      'gmediarender',
      ['-I', 'st1', '-f', 'TestTV', '--logfile', 'stdout'].concat([
        '--gstout-videopipe',
        'fakesink sync=true',
        '--gstout-audiopipe',
        'fakesink sync=true',
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    rendererLog = watchOutput(renderer);
    await rendererLog.waitFor(/Ready for rendering/);
  });

  after(async () => {
    if (renderer && renderer.exitCode === null) {
      renderer.kill('SIGTERM');
      await once(renderer, 'exit');
    }
    ns?.delete();
  });

  function cast(source: string, target: string, extra: string[] = []) {
    const args = [cliPath, source, '--cast', target, '--host', ns.a, '--token', token, '--dir', dir];
    const child = ns.spawn(process.execPath, [...args, '--no-dht', '--no-lsd', '--no-nat', ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { child, output: watchOutput(child), exit: once(child, 'exit') as Promise<[number | null]> };
  }

  /** Casts `source` to `target`; `others` are processes of the test's own left running in the namespace. */
  async function playsThenStops(
    source: string,
    sent: RegExp,
    uri: RegExp,
    { target = 'dlna:testtv', extra = [] as string[], others = [] as number[] } = {},
  ) {
    const from = rendererLog.text().length;
    const cli = cast(source, target, extra);
    try {
      await cli.output.waitFor(sent);
      const log = () => rendererLog.text().slice(from);
      const [, url = ''] = await rendererLog.waitFor(/Set uri to '([^']+)'/, from);
      assert.match(url, uri);
      assert.match(url, /[?&]cap=[\w-]{32}/, 'a capability opens the file');
      assert.ok(!url.includes(token), 'the master token never reaches the TV');
      await rendererLog.waitFor(/TransportState: PLAYING/, from);
      // PLAYING alone may hide a stream that failed: the position must move.
      const until = Date.now() + 30_000;
      while (new Set(positions(log())).size < 3 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const seen = positions(log());
      assert.ok(new Set(seen).size >= 3, `the position moved: ${seen.join(', ')}`);
      assert.deepEqual(
        seen,
        [...seen].sort((a, b) => a - b),
        'forward only',
      );
      assert.ok(!/TransportState: STOPPED/.test(log()), 'still playing before Ctrl-C');
      // The status line names the renderer and its state.
      await cli.output.waitFor(/cast TestTV: PLAYING \d+:\d\d/);

      cli.child.kill('SIGINT');
      const [code] = await cli.exit;
      assert.equal(code, 0);
      assert.match(log(), /TransportState: STOPPED/, 'Ctrl-C stopped the renderer');
      // Nothing of the CLI's (FFmpeg included) is left in the namespace: only the renderer.
      const left = spawnSync('ip', ['netns', 'pids', ns.name], { encoding: 'utf8' })
        .stdout.trim()
        .split(/\s+/);
      // What the other processes started themselves (tsx's esbuild service under a seeder) is theirs.
      assert.deepEqual(
        left.filter((pid) => !descendsFrom(Number(pid), others)).map(Number),
        [renderer.pid],
        left.map(commandLine).join('\n'),
      );
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  }

  it('plays a file the renderer lists (Matroska) as its original bytes; Ctrl-C stops it', async () => {
    const mkv = await makeMedia('mkv-h264-aac', { seconds: 30 });
    await playsThenStops(mkv, /^cast: TestTV plays the original file$/m, /[?&]mode=direct/);
  });

  it('sends the H.264/AAC stream for a type the renderer does not list (MPEG-TS)', async () => {
    const ts = await makeMedia('ts-h264-aac', { seconds: 30 });
    await playsThenStops(ts, /^cast: TestTV plays the H\.264\/AAC stream$/m, /[?&]caps=(&|$)/);
  });

  it('without a NAME, plays a torrent (a magnet) on the first renderer found', async () => {
    // Outside the CLI's --dir, where the download of the same name goes.
    const content = mkdtempSync(join(tmpdir(), 'streamtide-cast-seed-'));
    const folder = join(content, 'Film');
    mkdirSync(folder);
    copyFileSync(await makeMedia('mkv-h264-aac', { seconds: 30 }), join(folder, 'Film.mkv'));
    const seeder = ns.spawn(process.execPath, ['--import', 'tsx', nsSeeder, folder], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(seeder.stdout!, 'data')) as [Buffer];
      const { magnet } = JSON.parse(line.toString()) as { magnet: string };
      // The seeder is on the namespace's loopback, which a server off loopback reaches only with --allow-lan.
      await playsThenStops(magnet, /^cast: TestTV plays the original file$/m, /[?&]mode=direct/, {
        target: 'dlna',
        extra: ['--allow-lan', '--torrent-port', '0'],
        others: [seeder.pid!],
      });
    } finally {
      seeder.kill('SIGTERM');
      await once(seeder, 'exit');
      rmSync(content, { recursive: true, force: true });
    }
  });

  it('a name that matches no renderer: a clear error that lists the ones found', async () => {
    const mkv = await makeMedia('mkv-h264-aac', { seconds: 30 });
    const cli = cast(mkv, 'dlna:Bedroom');
    const [code] = await cli.exit;
    assert.equal(code, 1);
    assert.match(
      cli.output.text(),
      /no DLNA renderer named like "Bedroom" answered within \d+ s; found: "TestTV"/,
    );
  });
});
