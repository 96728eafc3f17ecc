/**
 * TypeBox's schema builder, for the route schemas. TypeBox is some 200 ES modules, and each module a Node
 * process loads costs it ~9 KB of RSS beyond its source (module record, namespace, the loader's bookkeeping):
 * ~1.5 MiB of an idle server. The build replaces this module's output with one file holding what `Type`
 * needs (scripts/bundle-typebox.mjs); run from source (tests, tsx), it is this re-export.
 */
export { Type } from '@sinclair/typebox';
