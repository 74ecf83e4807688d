import { resolve } from 'node:path';
import type { Command } from 'commander';
import { repoRootFromArgoEnv } from '../cmp/params.js';
import { printError } from './output.js';

/**
 * `syncgate parameters [dir]`: for plugin.yaml `parameters.dynamic`. Prints the JSON array of
 * parameter announcements for the Argo CD UI: the render options of the app's type and, for a
 * Helm chart, its values as the `helm-parameters` map.
 */
export function registerParameters(program: Command): void {
  program
    .command('parameters')
    .description('print the Argo CD parameter announcements (JSON array) for a directory (default: cwd)')
    .argument('[dir]', 'app directory', '.')
    .option('--repo-root <dir>', 'repository root (default: cwd minus ARGOCD_APP_SOURCE_PATH)')
    .action(async (dir: string, flags: { repoRoot?: string }) => {
      try {
        const appDir = resolve(dir);
        const repoRoot = flags.repoRoot !== undefined ? resolve(flags.repoRoot) : repoRootFromArgoEnv(appDir, process.env);
        const { announcementsJson, syncgateParameters } = await import('../cmp/announce.js');
        const list = await syncgateParameters(appDir, repoRoot, process.env['ARGOCD_APP_NAME'] ?? '');
        process.stdout.write(`${announcementsJson(list)}\n`);
      } catch (e) {
        process.exitCode = printError(e);
      }
    });
}
