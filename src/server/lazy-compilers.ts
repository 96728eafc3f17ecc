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
  let validators: ReturnType<typeof ajvCompiler> | undefined;
  let serializers: ReturnType<typeof fastJsonStringifyCompiler> | undefined;
  const loadValidators = () => {
    validators ??= (require('@fastify/ajv-compiler') as typeof ajvCompiler)();
    return validators;
  };
  const loadSerializers = () => {
    serializers ??= (require('@fastify/fast-json-stringify-compiler') as typeof fastJsonStringifyCompiler)();
    return serializers;
  };
  return {
    compilersFactory: {
      buildValidator: (external, options) => {
        let compile: ReturnType<ReturnType<typeof ajvCompiler>> | undefined;
        // Fastify reads `schemaEnv` (to let Ajv coerce the root) and `errors` off the validator.
        return (route) =>
          atFirstUse(() => {
            compile ??= loadValidators()(external, options);
            return compile(route);
          }, ['errors', 'schemaEnv']);
      },
      buildSerializer: (external, options) => {
        let compile: ReturnType<ReturnType<typeof fastJsonStringifyCompiler>> | undefined;
        return (route) =>
          atFirstUse(() => {
            compile ??= loadSerializers()(external, options);
            return compile(route);
          }, []);
      },
    },
  };
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
