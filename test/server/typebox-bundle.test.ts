/**
 * The build bundles TypeBox's `Type` into dist/server/typebox.js (scripts/bundle-typebox.mjs): one module
 * instead of ~200. It must import nothing, and build exactly the schemas the published TypeBox builds.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Type as Published } from '@sinclair/typebox';

const built = fileURLToPath(new URL('../../dist/server/typebox.js', import.meta.url));

it('is one module that imports nothing', () => {
  const source = readFileSync(built, 'utf8');
  assert.doesNotMatch(source, /^\s*import\b|\bfrom\s*["']|\brequire\(|\bimport\(/m);
});

it('builds the same schemas as the published TypeBox', async () => {
  const { Type } = (await import(built)) as { Type: typeof Published };
  const schema = (T: typeof Published) =>
    T.Object(
      {
        infoHash: T.String({ pattern: '^[0-9a-f]{40}$' }),
        index: T.Integer({ minimum: 0 }),
        mode: T.Optional(T.Union([T.Literal('direct'), T.Literal('remux')])),
        tags: T.Array(T.String(), { maxItems: 4 }),
        extra: T.Partial(T.Object({ start: T.Number(), note: T.Union([T.String(), T.Null()]) })),
      },
      { additionalProperties: false },
    );
  assert.deepEqual(schema(Type), schema(Published));
  assert.notEqual(Type, Published);
});
