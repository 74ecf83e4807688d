import type { Command } from 'commander';

export { commandName } from './command-name.js';

/** Registers one subcommand on the root program. */
export type Register = (program: Command) => void;

/**
 * Every subcommand and the module that registers it, loaded on use: a process registers only the
 * command it runs (the stock argocd-cmp-server starts one process per generate/discover/
 * parameters). A command missing here still works: the entry then registers all of them.
 */
export const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  render: async () => (await import('./render.js')).registerRender,
  generate: async () => (await import('./generate.js')).registerGenerate,
  discover: async () => (await import('./discover.js')).registerDiscover,
  parameters: async () => (await import('./parameters.js')).registerParameters,
  docs: async () => (await import('./docs.js')).registerDocs,
  scan: async () => (await import('./scan.js')).registerScan,
  serve: async () => (await import('./serve.js')).registerServe,
  flux: async () => (await import('./flux.js')).registerFlux,
  webhook: async () => (await import('./webhook.js')).registerWebhook,
  keys: async () => (await import('./keys.js')).registerKeys,
  completion: async () => (await import('./completion.js')).registerCompletion,
  test: async () => (await import('./test.js')).registerTest,
};
