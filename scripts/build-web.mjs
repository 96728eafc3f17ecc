// Bundles the browser UI (src/web) into dist/web: index.html, assets/app.js, assets/app.css, and chunks
// that app.js loads on demand (hls.js, ~400 KB minified, only when a player needs it, so the first paint does
// not wait for it). Chunk names carry their content hash, so index.html only needs app.js's and app.css's.
// Everything is local (no CDN, no web fonts), so the UI works offline. `--watch` rebuilds on change.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  splitting: true,
  chunkNames: 'chunk-[hash]',
  metafile: true,
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

/** Chunks of earlier builds (other hashes): removed after a build, never before, so a page being served keeps its own. */
function removeStaleChunks(result) {
  const current = new Set(Object.keys(result.metafile.outputs).map((path) => path.split('/').pop()));
  for (const name of readdirSync(assets)) {
    if (name.startsWith('chunk-') && !current.has(name)) rmSync(join(assets, name), { force: true });
  }
}

mkdirSync(assets, { recursive: true });
if (process.argv.includes('--watch')) {
  const context = await esbuild.context({
    ...options,
    plugins: [
      {
        name: 'index',
        setup: (build) =>
          build.onEnd((result) => {
            if (result.errors.length > 0) return;
            writeIndex();
            removeStaleChunks(result);
          }),
      },
    ],
  });
  await context.watch();
} else {
  const result = await esbuild.build(options);
  writeIndex();
  removeStaleChunks(result);
}
