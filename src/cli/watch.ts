/**
 * `streamtide SOURCE`: start the server, add the source, wait for metadata (spinner), pick the file, print
 * `stream:` and `player:`, show live status, launch the player. Runs until a signal (or the player) ends it.
 */
import type { CastTarget } from '../cast/target.js';
import { mainMediaFile } from '../catalog/main-file.js';
import type { CatalogEntry } from '../catalog/types.js';
import { sharedStreamUrl } from '../server/share-urls.js';
import { type CastSession, castHostProblem, startCast } from './cast.js';
import { formatBytes } from './format.js';
import { launchPlayer, type PlayerName } from './player.js';
import { followMpv, savedStart } from './resume.js';
import { startRuntime, UsageError } from './runtime.js';
import { runtimeOptions, type ServeFlags } from './serve.js';
import { untilShutdown } from './shutdown.js';
import { addSource, classifySource, SourceError } from './source.js';
import { StatusReporter, type StatusStyle } from './status.js';
import { terminalSafe } from './terminal-text.js';

export interface WatchFlags extends ServeFlags {
  file?: number;
  player: PlayerName | 'none';
  list?: boolean;
  cast?: CastTarget;
}

export function pickFile(entry: CatalogEntry, wanted?: number) {
  if (wanted !== undefined) {
    const file = entry.files[wanted];
    if (!file)
      throw new SourceError(`--file ${wanted}: the torrent has ${entry.files.length} file(s) (see --list)`);
    return file;
  }
  const file = mainMediaFile(entry.files);
  if (!file)
    throw new SourceError(`${entry.name} has no video or audio file (see --list, then --file INDEX)`);
  return file;
}

function listFiles(entry: CatalogEntry): string {
  const width = String(entry.files.length - 1).length;
  return entry.files
    .map(
      (file) =>
        `${String(file.index).padStart(width)}  ${formatBytes(file.length).padStart(8)}  ${terminalSafe(file.path)}`,
    )
    .join('\n');
}

export async function runWatch(source: string, flags: WatchFlags): Promise<number> {
  const kind = await classifySource(source);
  // The metadata spinner: loaded with the program, unless the source is a local file (which has none to wait for).
  const spinnerModule = kind === 'media-file' ? undefined : import('ora');
  const hostProblem = flags.cast && castHostProblem(flags.host);
  if (hostProblem) throw new UsageError(hostProblem);
  // A one-shot run works on its own torrent: the library's others stay saved but are not resumed.
  const runtime = await startRuntime({
    ...runtimeOptions(flags, true),
    logLevel: 'error',
    restoreSaved: false,
  });
  let stopping = false;
  let reporter: StatusReporter | undefined;
  let cast: CastSession | undefined;
  // The renderer is stopped while the server still answers it.
  const stopped = untilShutdown(runtime, async () => {
    stopping = true;
    reporter?.stop();
    await cast?.stop();
  });
  try {
    // A stop while adding may leave the add hanging on the closed engine: the stop wins.
    const added = await Promise.race([addSource(runtime, source, kind), stopped.then(() => null)]);
    if (!added) return await stopped;
    let entry = added;
    if (!entry.ready) {
      const { default: ora } = await (spinnerModule ?? import('ora'));
      const spinner = ora({
        text: 'fetching metadata…',
        stream: process.stderr,
        // A terminal of 0 columns (a container's before its first resize): ora divides by the width and would
        // clear lines forever, so it prints its text once instead.
        isEnabled: process.stderr.isTTY && process.stderr.columns > 0 && !flags.quiet && !flags.json,
        // Disabled, ora still prints its text once ('- fetching metadata…'): --quiet and --json mean none.
        isSilent: flags.quiet || flags.json,
        // ora would put stdin in raw mode to swallow keys: then Ctrl-C reaches us as a byte, not SIGINT.
        discardStdin: false,
      });
      spinner.start();
      const tick = setInterval(() => {
        const why = runtime.catalog.stallReason(entry.infoHash);
        spinner.text =
          why && why !== 'fetching metadata'
            ? `fetching metadata… ${terminalSafe(why)}`
            : 'fetching metadata…';
      }, 500);
      try {
        const ready = await Promise.race([
          runtime.catalog.waitForMetadata(entry.infoHash),
          stopped.then(() => null),
        ]);
        if (!ready) return await stopped;
        entry = ready;
      } finally {
        clearInterval(tick);
        spinner.stop();
      }
    }
    if (flags.list) {
      process.stdout.write(`${listFiles(entry)}\n`);
      await runtime.close();
      return 0;
    }
    const file = pickFile(entry, flags.file);
    const path = `${entry.infoHash}/${file.index}`;
    // URLs that go elsewhere (another player, a player's command line) carry the file's capability, not the
    // token; the web player is the user's own page and opens a session with the token.
    const cap = runtime.app.capabilities?.issue({
      kind: 'file',
      infoHash: entry.infoHash,
      index: file.index,
    });
    const streamUrl = `${runtime.url}/stream/${path}${cap ? `?cap=${cap}` : ''}`;
    const playerUrl = `${runtime.url}/play/${path}${flags.token ? `?token=${encodeURIComponent(flags.token)}` : ''}`;
    // Players seek and pick tracks themselves: they get the original bytes, with Range.
    const directUrl = sharedStreamUrl(runtime.url, runtime.app.capabilities, entry.infoHash, file.index);
    const name = terminalSafe(file.name);
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ type: 'ready', infoHash: entry.infoHash, file: file.index, name, stream: streamUrl, player: playerUrl, direct: directUrl })}\n`,
      );
    } else {
      process.stdout.write(`stream: ${streamUrl}\nplayer: ${playerUrl}\n`);
    }
    const style: StatusStyle = flags.quiet
      ? 'none'
      : flags.json
        ? 'json'
        : process.stderr.isTTY
          ? 'bar'
          : 'lines';
    const authorization = flags.token ? `Bearer ${flags.token}` : undefined;
    reporter = new StatusReporter(runtime, entry.infoHash, file.index, style, name, authorization);
    if (flags.cast) {
      const target = flags.cast;
      const castFile = { infoHash: entry.infoHash, index: file.index, mime: file.mime, title: file.name };
      const starting = startCast(runtime, target, flags.host, castFile);
      const started = await Promise.race([starting, stopped.then(() => null)]);
      if (!started) return await stopped;
      cast = started;
      if (stopping) await cast.stop();
      // The original bytes, or the server's H.264/AAC stream (copied where the file already is).
      const sent = cast.direct ? 'original' : 'h264-aac';
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ type: 'cast', renderer: cast.name, stream: sent })}\n`
          : `cast: ${cast.name} plays ${cast.direct ? 'the original file' : 'the H.264/AAC stream'}\n`,
      );
      reporter.cast = cast.label;
    }
    reporter.start();
    if (flags.player !== 'none') {
      // mpv tells where it is (its IPC): the position is kept for next time. The others only start there.
      const follower =
        flags.player === 'mpv' ? followMpv(runtime, entry.infoHash, file.index, authorization) : undefined;
      try {
        const start = savedStart(runtime, entry.infoHash, file.index);
        const player = launchPlayer(flags.player, directUrl, name, { start, extraArgs: follower?.args });
        // Closing the player ends the session, as with webtorrent-cli and peerflix.
        void player.exited.then(() => follower?.finish()).then(() => process.kill(process.pid, 'SIGTERM'));
      } catch (err) {
        void follower?.finish();
        process.stderr.write(`streamtide: ${terminalSafe((err as Error).message)}\n`);
      }
    }
    return await stopped;
  } catch (err) {
    // A signal closing the engine fails whatever waited on it ("the engine was closed"): that is a clean stop.
    if (stopping) return await stopped;
    reporter?.stop();
    await cast?.stop();
    await runtime.close();
    throw err;
  }
}
