// `npm start` runs the server; `npm start -- SOURCE [flags]` plays a source, as `streamtide SOURCE` does.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('streamtide: not built yet — run `npm install` (or `npm run build`) first');
  process.exit(1);
}
const args = process.argv.slice(2);
const wantsServe = args.length === 0 || args[0] === 'serve' || args[0].startsWith('-');
process.argv = [process.argv[0], cli, ...(wantsServe && args[0] !== 'serve' ? ['serve', ...args] : args)];
await import(cli);
