import { Redactor } from '../log/index.js';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { parseArgoEnv, repoRootFromArgoEnv } from '../cmp/params.js';
import { loadGlobals } from './options.js';
import { printError, printResult } from './output.js';

/**
 * `syncgate generate`: the command the stock argocd-cmp-server runs (plugin.yaml
 * spec.generate). cwd is the app dir of the extracted repo, the request is in the env;
 * manifests go to stdout, a refusal or error is a non-zero exit with a short report on stderr.
 */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('render, decrypt and gate the app in the current directory from the Argo CD CMP env (stock argocd-cmp-server mode)')
    .addOption(
      new Option('--repo-root <dir>', 'repository root (default: cwd minus ARGOCD_APP_SOURCE_PATH)').env('SYNCGATE_REPO_ROOT'),
    )
    .addOption(new Option('-o, --output <format>', 'yaml or json').choices(['yaml', 'json']).default('yaml'))
    .action(async (flags: { repoRoot?: string; output: 'yaml' | 'json' }, cmd: Command) => {
      const { config, logger } = loadGlobals(cmd);
      const redactor = new Redactor();
      try {
        // Loaded on use: the stock server starts one process per request, and `syncgate
        // discover`/`parameters` need none of the pipeline.
        const { gate } = await import('../gate/index.js');
        const appDir = process.cwd();
        const { context, options } = parseArgoEnv(process.env);
        const result = await gate({
          redactor,
          appDir,
          repoRoot: flags.repoRoot !== undefined ? resolve(flags.repoRoot) : repoRootFromArgoEnv(appDir, process.env),
          context,
          options,
          config,
          logger,
        });
        if (result.resources.length === 0 && !result.decision.refused) {
          // Argo CD accepts an empty generate and then prunes every live object of the app.
          process.stderr.write('warning: the app rendered no manifests; Argo CD will prune its live objects\n');
        }
        process.exitCode = printResult(result, logger, flags.output);
      } catch (e) {
        // stderr is what Argo CD shows in the app's conditions: the one-line coded report only.
        process.exitCode = printError(e, undefined, redactor);
      }
    });
}
