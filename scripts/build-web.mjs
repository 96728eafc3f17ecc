// Bundles the browser UI (src/web) into dist/web: index.html, assets/app.js, assets/app.css. Everything is
// local (no CDN, no web fonts), so the UI works offline. `--watch` rebuilds on change.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
const assets = join(out, 'assets');

const options = {
  entryPoints: [
    { in: join(root, 'src/web/main.ts'), out: 'app' },
    { in: join(root, 'src/web/app.css'), out: 'app' },
  ],
  outdir: assets,
  bundle: true,
  format: 'esm',
  target: ['es2020'],
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
};

/** Writes index.html with content hashes on the asset URLs, so a rebuild is never served from a stale cache. */
function writeIndex() {
  const hash = (file) =>
    createHash('sha256')
      .update(readFileSync(join(assets, file)))
      .digest('hex')
      .slice(0, 10);
  const template = readFileSync(join(root, 'src/web/index.html'), 'utf8');
  const html = template
    .replace('/assets/app.css', `/assets/app.css?v=${hash('app.css')}`)
    .replace('/assets/app.js', `/assets/app.js?v=${hash('app.js')}`);
  writeFileSync(join(out, 'index.html'), html);
}

mkdirSync(assets, { recursive: true });
if (process.argv.includes('--watch')) {
  const context = await esbuild.context({
    ...options,
    plugins: [
      {
        name: 'index',
        setup: (build) => build.onEnd((result) => result.errors.length === 0 && writeIndex()),
      },
    ],
  });
  await context.watch();
} else {
  await esbuild.build(options);
  writeIndex();
}
