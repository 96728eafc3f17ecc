// `npm start` runs the server; `npm start -- SOURCE [flags]` plays a source, as `streamtide SOURCE` does,
// whether the flags come before the source or after it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('streamtide: not built yet — run `npm install` (or `npm run build`) first');
  process.exit(1);
}

/** The CLI's flags that take no value; every other flag takes the next argument. */
const switches = new Set(
  (await import(new URL('../dist/cli/program.js', import.meta.url).href)).switchFlags(),
);

/** Whether `args` name a source: an argument that is neither a flag nor a flag's value. */
function namesSource(args) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') return i + 1 < args.length;
    if (!arg.startsWith('-')) return true;
    if (!switches.has(arg) && !arg.includes('=')) i++;
  }
  return false;
}

const args = process.argv.slice(2);
const serve = args[0] !== 'serve' && !namesSource(args) ? ['serve'] : [];
process.argv = [process.argv[0], cli, ...serve, ...args];
await import(cli);
