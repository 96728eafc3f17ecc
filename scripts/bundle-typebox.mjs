// Replaces the compiled dist/server/typebox.js (a re-export of TypeBox's `Type`) with one bundled file of
// what `Type` needs: TypeBox as published is ~200 ES modules, each costing the server's process memory of
// its own once loaded (see src/server/typebox.ts). Run after tsc.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(root, 'dist', 'server', 'typebox.js');

await esbuild.build({
  entryPoints: [file],
  outfile: file,
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: ['node20'],
  sourcemap: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
