import { createRequire } from 'node:module';

// dist/version.js and src/version.ts both sit one level below package.json.
const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

export const version: string = pkg.version;
