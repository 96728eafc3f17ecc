/**
 * Chromium driven by playwright-core for the UI's browser tests: headless, no network beyond what the page
 * asks for, a fresh profile per launch. The system's Chromium when there is one, else the one shipped in the
 * @sparticuz/chromium package, so the tests need nothing but Node. Also makes sure dist/web is built from
 * the current src/web.
 */
import { execFile, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const webRoot = join(repoRoot, 'dist', 'web');

export interface ChromiumBinary {
  path: string;
  origin: 'env' | 'system' | 'npm';
}

const systemChromium = '/usr/bin/chromium';
let located: Promise<ChromiumBinary> | undefined;

/** $CHROMIUM_PATH, else the system's Chromium if it can be run, else the npm one (unpacked once per version). */
export function locateChromium(): Promise<ChromiumBinary> {
  located ??= (async () => {
    if (process.env.CHROMIUM_PATH) return { path: process.env.CHROMIUM_PATH, origin: 'env' };
    try {
      accessSync(systemChromium, constants.X_OK);
      return { path: systemChromium, origin: 'system' };
    } catch {}
    return { path: await unpackNpmChromium(), origin: 'npm' };
  })();
  return located;
}

/**
 * The package unpacks into $TMPDIR/chromium and trusts any file already there, so concurrent test processes
 * could run a half-written binary. Unpack into a private folder instead and publish it with one rename.
 */
async function unpackNpmChromium(): Promise<string> {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(dirname(dirname(require.resolve('@sparticuz/chromium'))));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const home = join(tmpdir(), `streamtide-chromium-npm-${version}`);
  const binary = join(home, 'chromium');
  if (existsSync(binary)) return binary;
  const staging = mkdtempSync(join(tmpdir(), 'streamtide-chromium-unpack-'));
  try {
    const script = "import c from '@sparticuz/chromium'; process.stdout.write(await c.executablePath());";
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: repoRoot,
      env: { ...process.env, TMPDIR: staging },
    });
    if (stdout !== join(staging, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${stdout}`);
    renameSync(staging, home);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(binary)) throw err; // else another process published it first
  }
  return binary;
}

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** What the npm build (a headless shell for serverless hosts) needs on top. */
const npmChromiumArgs: string[] = [];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}

/** Builds the UI bundle when it is missing or older than its sources (`npm test` builds first anyway). */
export function ensureWebBuilt(): void {
  const index = join(webRoot, 'index.html');
  const sources = Math.max(
    newestMtime(join(repoRoot, 'src', 'web')),
    statSync(join(repoRoot, 'scripts', 'build-web.mjs')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-web.mjs')], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`building the web UI failed: ${result.stderr}`);
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Dialogs (alert/confirm/prompt) the page opened; each is dismissed. */
  dialogs: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** Launches Chromium with a throwaway profile and opens one page. */
export async function launchBrowser(viewport = { width: 1120, height: 780 }): Promise<BrowserSession> {
  const binary = await locateChromium();
  const profile = mkdtempSync(join(tmpdir(), 'streamtide-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: binary.path,
      args: [...chromiumArgs, ...(binary.origin === 'npm' ? npmChromiumArgs : [])],
      viewport,
      deviceScaleFactor: 1,
      colorScheme: 'dark',
      reducedMotion: 'reduce',
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  let closed = false;
  return {
    context,
    page,
    dialogs,
    pageErrors,
    close: async () => {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
