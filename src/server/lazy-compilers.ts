/**
 * Route schemas compiled at their route's first request instead of at startup. Ajv and fast-json-stringify
 * generate code for every schema of every route as it is registered, most of which a given server never
 * answers: that code and its source text stayed in the idle server's heap. Fastify's own compilers, with the
 * options Fastify gives them, still do the work; only the moment changes. A schema they cannot compile
 * fails its route's requests (500) instead of the start: the test suite answers every route.
 */
import ajvCompiler from '@fastify/ajv-compiler';
import fastJsonStringifyCompiler from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

// biome-ignore lint/suspicious/noExplicitAny: compiled functions take and return anything
type Compiled = (...args: any[]) => any;

/** For Fastify's `schemaController` option. */
export function lazySchemaCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  const validators = ajvCompiler();
  const serializers = fastJsonStringifyCompiler();
  return {
    compilersFactory: {
      buildValidator: (external, options) => {
        const compile = validators(external, options);
        // Fastify reads `schemaEnv` (to let Ajv coerce the root) and `errors` off the validator.
        return (route) => atFirstUse(() => compile(route), ['errors', 'schemaEnv']);
      },
      buildSerializer: (external, options) => {
        const compile = serializers(external, options);
        return (route) => atFirstUse(() => compile(route), []);
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
