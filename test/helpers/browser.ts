/**
 * Debian's Chromium driven by playwright-core for the UI's browser tests: headless, no network beyond what the
 * page asks for, a fresh profile per launch. Also makes sure dist/web is built from the current src/web.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const webRoot = join(repoRoot, 'dist', 'web');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

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
  const profile = mkdtempSync(join(tmpdir(), 'streamtide-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      args: chromiumArgs,
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
