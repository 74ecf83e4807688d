import { Command } from 'commander';
import { addGlobalOptions } from './options.js';
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

/** Builds the `syncgate` commander program; one file per command registers itself. */
export function buildProgram(): Command {
  const program = new Command('syncgate')
    .description('render, decrypt and policy-gate Kubernetes manifests between Git and the cluster')
    .version(process.env['npm_package_version'] ?? '0.1.0')
    .showHelpAfterError()
    .exitOverride((err) => {
      // commander usage errors are exit code 2, like every usage/config error
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  addGlobalOptions(program);
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
  return program;
}
