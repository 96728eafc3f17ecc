/**
 * An undici Agent made at its first request, so that a server with no HTTP tracker or web seed to talk to
 * never loads undici. `dispatch` is synchronous (fetch calls it so): undici is required, not imported.
 */
import { createRequire } from 'node:module';
import type { Agent, Dispatcher } from 'undici';

type Undici = typeof import('undici');

const require = createRequire(import.meta.url);

export class LazyDispatcher {
  #agent?: Agent;

  constructor(private readonly make: (undici: Undici) => Agent) {}

  /** The agent, made now if this is the first use. */
  get agent(): Agent {
    this.#agent ??= this.make(require('undici') as Undici);
    return this.#agent;
  }

  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
    return this.agent.dispatch(options, handler);
  }

  /** Closes the agent's connections (nothing to do if none was ever made). */
  async destroy(): Promise<void> {
    await this.#agent?.destroy();
  }
}
