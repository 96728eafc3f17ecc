/**
 * Lists import cycles among the .ts files under src (run from the package root: node scripts/import-cycles.mjs).
 * Type-only imports are left out: they vanish at build time and cannot make a module load half-done.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const files = [];
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.ts$/.test(p) && !p.endsWith('.d.ts')) files.push(resolve(p));
  }
};
walk('src');
const graph = new Map();
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const deps = [];
  for (const m of text.matchAll(
    /^(import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'/gm,
  )) {
    if (m[2]) continue; // type-only
    const spec = m[3] ?? m[4];
    // import { type A, type B } is type-only too
    const clause = m[0];
    if (/^import\s+\{([^}]*)\}/.test(clause)) {
      const names = clause
        .match(/\{([^}]*)\}/)[1]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (names.every((n) => n.startsWith('type '))) continue;
    }
    deps.push(resolve(dirname(f), spec.replace(/\.js$/, '.ts')));
  }
  graph.set(f, deps);
}
const state = new Map();
const stack = [];
let found = 0;
const visit = (f) => {
  state.set(f, 1);
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (!graph.has(d)) continue;
    if (state.get(d) === 1) {
      found++;
      console.log(
        'cycle:',
        stack
          .slice(stack.indexOf(d))
          .map((p) => p.replace(`${process.cwd()}/`, ''))
          .join(' -> '),
      );
    } else if (!state.get(d)) visit(d);
  }
  stack.pop();
  state.set(f, 2);
};
for (const f of graph.keys()) if (!state.get(f)) visit(f);
console.log(found ? `${found} cycle(s)` : 'no cycles');
process.exitCode = found ? 1 : 0;
