/** The `streamtide` command: `serve`, or `SOURCE` (play one torrent or file). Exit 2 on bad input. */
import { Command, CommanderError, Option } from 'commander';
import { version } from '../version.js';
import {
  defaultDir,
  parseBaseUrl,
  parseCast,
  parseIndex,
  parsePlayer,
  parsePort,
  parseRate,
  parseSize,
  parseUrlList,
  readTokenFile,
} from './options.js';
import { playerNames } from './player.js';
import { UsageError } from './runtime.js';
import { runServe, type ServeFlags } from './serve.js';
import { SourceError } from './source.js';
import { terminalSafe } from './terminal-text.js';
import type { WatchFlags } from './watch.js';

const examples = `
Examples:
  $ streamtide serve                          # the server and web UI on http://127.0.0.1:8977
  $ streamtide "magnet:?xt=urn:btih:..." --player mpv
  $ streamtide ./movie.torrent --list         # list the files, then exit
  $ streamtide ./movie.torrent --file 2       # stream file 2
  $ streamtide ./holiday.avi                  # a local file the browser cannot play
  $ streamtide ./movie.mkv --cast dlna:living --host 192.168.1.20 --token-file ~/.streamtide-token`;

/** A cap over all torrents and peers, in the units of --max-cache; commander parses the env value too. */
function rateOption(flag: string, what: string, env: string): Option {
  return new Option(
    `${flag} <rate>`,
    `cap on ${what} speed over all torrents, in bytes/s: 500K, 2M (M = 10^6)`,
  )
    .env(env)
    .argParser(parseRate);
}

function common(command: Command): Command {
  return command
    .option('--host <address>', 'address to listen on', process.env.STREAMTIDE_HOST || '127.0.0.1')
    .addOption(new Option('--port <port>', 'HTTP port (default 8977)').argParser(parsePort))
    .option('--dir <dir>', 'download folder (env STREAMTIDE_DIR)', defaultDir())
    .addOption(
      new Option(
        '--token <token>',
        'require this token; needed off loopback. `ps` shows it to other users: prefer STREAMTIDE_TOKEN or --token-file',
      ).env('STREAMTIDE_TOKEN'),
    )
    .addOption(
      new Option('--token-file <path>', 'require the token written in this file (its first line)')
        .env('STREAMTIDE_TOKEN_FILE')
        .argParser(readTokenFile)
        .conflicts('token'),
    )
    .option(
      '--allow-host <name>',
      'also accept this Host name (repeatable; e.g. behind a reverse proxy)',
      (name: string, names: string[]) => [...names, name],
      [] as string[],
    )
    .option(
      '--allow-lan',
      'off loopback, let trackers, web seeds and peers a torrent names be on loopback or the LAN (never link-local)',
    )
    .addOption(
      new Option('--max-cache <size>', 'cap on downloaded data, e.g. 50G (decimal: G = 10^9)').argParser(
        parseSize,
      ),
    )
    .addOption(rateOption('--download-limit', 'download', 'STREAMTIDE_DOWNLOAD_LIMIT'))
    .addOption(rateOption('--upload-limit', 'upload', 'STREAMTIDE_UPLOAD_LIMIT'))
    .addOption(new Option('--torrent-port <port>', 'BitTorrent listening port').argParser(parsePort))
    .option('--no-dht', 'do not use the DHT to find peers')
    .option('--no-lsd', 'do not use local service discovery')
    .option('--no-nat', 'do not open the BitTorrent port with UPnP / NAT-PMP')
    .option('--quiet', 'print only the URLs and errors')
    .option('--json', 'machine-readable status lines on stdout');
}

/** --token-file (or STREAMTIDE_TOKEN_FILE) gives the token as --token would. */
function withToken<T extends { token?: string; tokenFile?: string }>(options: T): T {
  return { ...options, token: options.tokenFile ?? options.token };
}

/** A node behind the cluster's nginx front (docs/cluster.md); `npm run cluster` and deploy/ set these. */
function clusterMember(command: Command): Command {
  return command
    .addOption(
      new Option('--cluster-front <url>', "the cluster's front, when this is one of its nodes")
        .env('STREAMTIDE_CLUSTER_FRONT')
        .argParser(parseBaseUrl),
    )
    .addOption(
      new Option(
        '--cluster-nodes <urls>',
        'every node of the cluster, comma-separated (with --cluster-front)',
      )
        .env('STREAMTIDE_CLUSTER_NODES')
        .argParser(parseUrlList),
    );
}

const output = {
  outputError: (text: string, write: (text: string) => void) =>
    write(text.replace(/^error: /, 'streamtide: ')),
};

/** What the parsed command line runs: a source's watch, or the server. */
interface Actions {
  watch(source: string | undefined, options: WatchFlags): void;
  serve(options: ServeFlags): void;
}

function buildProgram(actions: Actions): Command {
  const program = new Command('streamtide')
    .description('Play video out of BitTorrent (or a local file) in a browser while it downloads.')
    .version(version, '-v, --version')
    .argument('[source]', 'magnet URI, .torrent path or URL, info-hash, or a local media file')
    .addOption(
      new Option('--file <index>', 'file to stream (default: the largest video)').argParser(parseIndex),
    )
    .addOption(
      new Option('--player <name>', `launch a player on the original file: ${playerNames.join(', ')} or none`)
        .argParser(parsePlayer)
        .default('none'),
    )
    .addOption(
      new Option(
        '--cast <target>',
        "play on a TV: dlna[:NAME] or chromecast[:NAME] (the first found, or the one whose name contains NAME); needs --host set to this machine's LAN address (and so --token): the TV gets a URL that opens this file only",
      )
        .argParser(parseCast)
        .conflicts('list'),
    )
    .option('--list', 'list the files of the torrent and exit')
    .addHelpText('after', examples)
    .exitOverride()
    // `serve` has the same flags: let the ones after `serve` belong to it.
    .enablePositionalOptions()
    .configureOutput(output);
  common(program);
  program.action((source: string | undefined, options: WatchFlags) => actions.watch(source, options));
  const serve = clusterMember(common(new Command('serve').description('run the server and web UI')))
    .option(
      '--dlna',
      'also be a DLNA/UPnP media server for TVs (off by default). DLNA has no authentication: anyone on the ' +
        'network of --host may browse the library and play it. The token still guards everything else; ' +
        'the TV gets per-file URLs that carry their own capability',
    )
    .action((options: ServeFlags) => actions.serve(options));
  // addCommand() inherits no settings: serve's mistakes read like the others'.
  serve.exitOverride().configureOutput(output);
  program.addCommand(serve);
  return program;
}

/** The flags that take no value, of the program and `serve` (scripts/start.mjs tells a flag's value by them). */
export function switchFlags(): string[] {
  const program = buildProgram({ watch: () => {}, serve: () => {} });
  const flags = ['-h', '--help'];
  for (const command of [program, ...program.commands])
    for (const option of command.options)
      if (!option.required && !option.optional)
        flags.push(...[option.short, option.long].flatMap((f) => f ?? []));
  return [...new Set(flags)];
}

export async function main(argv: string[]): Promise<number> {
  let outcome: Promise<number> = Promise.resolve(0);
  const program = buildProgram({
    watch: (source, options) => {
      if (!source) {
        program.outputHelp();
        outcome = Promise.resolve(2);
        return;
      }
      // Loaded here: `serve` never needs its terminal spinners and progress bars.
      outcome = import('./watch.js').then(({ runWatch }) => runWatch(source, withToken(options)));
    },
    serve: (options) => {
      outcome = runServe(withToken(options));
    },
  });
  try {
    await program.parseAsync(argv);
    return await outcome;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    // Messages may quote a torrent's name.
    if (err instanceof SourceError || err instanceof UsageError) {
      process.stderr.write(`streamtide: ${terminalSafe(err.message)}\n`);
      return 2;
    }
    process.stderr.write(`streamtide: ${terminalSafe(err instanceof Error ? err.message : String(err))}\n`);
    return 1;
  }
}
