import type { Command } from 'commander';
import { createRoot } from './root.js';
import { registerRender } from './render.js';
import { registerGenerate } from './generate.js';
import { registerDiscover } from './discover.js';
import { registerParameters } from './parameters.js';
import { registerDocs } from './docs.js';
import { registerScan } from './scan.js';
import { registerTest } from './test.js';
import { registerServe } from './serve.js';
import { registerFlux } from './flux.js';
import { registerWebhook } from './webhook.js';
import { registerKeys } from './keys.js';
import { registerCompletion } from './completion.js';

/**
 * Builds the whole `syncgate` commander program (help, docs, completion, tests); one file per
 * command registers itself. The entry (main.ts) registers only the command it runs.
 */
export function buildProgram(): Command {
  const program = createRoot();
  registerRender(program);
  registerGenerate(program);
  registerDiscover(program);
  registerParameters(program);
  registerDocs(program);
  registerScan(program);
  registerTest(program);
  registerServe(program);
  registerFlux(program);
  registerWebhook(program);
  registerKeys(program);
  registerCompletion(program);
  return program;
}
