/**
 * Route schemas compiled at their route's first request instead of at startup. Ajv and fast-json-stringify
 * generate code for every schema of every route as it is registered, most of which a given server never
 * answers: that code and its source text stayed in the idle server's heap. The compilers themselves (Ajv,
 * fast-json-stringify, fast-uri and the rest, ~0.6 MB of source, ~1.3 MiB of an idle server's RSS) load at
 * the first compile too: a server nobody asks anything holds none of it. That first compile pays their load
 * once (tens of ms), as the first use of undici does. Fastify's own compilers, with the options Fastify gives
 * them, still do the work; only the moment changes. A schema they cannot compile fails its route's requests
 * (500) instead of the start: the test suite answers every route.
 */
import { createRequire } from 'node:module';
import type ajvCompiler from '@fastify/ajv-compiler';
import type fastJsonStringifyCompiler from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

// biome-ignore lint/suspicious/noExplicitAny: compiled functions take and return anything
type Compiled = (...args: any[]) => any;

// Compiling is synchronous (Fastify asks for a validator as a request reaches validation): both are
// CommonJS packages, loaded with a synchronous require.
const require = createRequire(import.meta.url);

/** For Fastify's `schemaController` option. */
export function lazySchemaCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  return {
    compilersFactory: {
      // Fastify reads `schemaEnv` (to let Ajv coerce the root) and `errors` off the validator.
      buildValidator: lazyFactory(
        () => (require('@fastify/ajv-compiler') as typeof ajvCompiler)(),
        ['errors', 'schemaEnv'],
      ),
      buildSerializer: lazyFactory(
        () => (require('@fastify/fast-json-stringify-compiler') as typeof fastJsonStringifyCompiler)(),
        [],
      ),
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a factory takes Fastify's options, a compiler its route
type Factory = (...args: any[]) => (route: any) => Compiled;

/**
 * A compiler factory whose package loads (`load`) at the first compile of any route, and whose compiler
 * for the arguments Fastify gave is built then too; `properties` are those Fastify reads off a compiled one.
 */
function lazyFactory<F extends Factory>(load: () => F, properties: string[]): F {
  let factory: F | undefined;
  return ((...args: Parameters<F>) => {
    let compile: ReturnType<F> | undefined;
    return (route: Parameters<ReturnType<F>>[0]) =>
      atFirstUse(() => {
        factory ??= load();
        compile ??= factory(...args) as ReturnType<F>;
        return compile(route);
      }, properties);
  }) as F;
}

function atFirstUse<T extends Compiled>(compile: () => T, properties: string[]): T {
  let compiled: T | undefined;
  const get = () => {
    compiled ??= compile();
    return compiled;
  };
  const lazy = ((...args: unknown[]) => get()(...args)) as T;
  for (const name of properties) {
    Object.defineProperty(lazy, name, { get: () => (get() as unknown as Record<string, unknown>)[name] });
  }
  return lazy;
}
