import { resolve } from 'node:path';
import type { Command } from 'commander';
import { gate, type RenderOptions } from '../gate/index.js';
import { collectKeyValue, collectList, loadGlobals } from './options.js';
import { printError, printResult } from './output.js';

interface RenderFlags {
  app?: string;
  project?: string;
  namespace?: string;
  repoRoot?: string;
  repoUrl?: string;
  releaseName?: string;
  values: string[];
  set: Record<string, string>;
  recurse?: boolean;
  output: 'yaml' | 'json';
}

/** `syncgate render <path>`: the same pipeline as the sidecar, for humans and CI. */
export function registerRender(program: Command): void {
  program
    .command('render')
    .description('render, decrypt and gate an app directory; manifests to stdout')
    .argument('<path>', 'app directory (Helm chart, Kustomize dir or plain manifests)')
    .option('--app <name>', 'application name (Helm release name, key grants)')
    .option('--project <name>', 'Argo CD project (key grants, exceptions)', 'default')
    .option('--namespace <ns>', 'destination namespace', 'default')
    .option('--repo-root <dir>', 'repository root; app paths may not leave it (default: the app path)')
    .option('--repo-url <url>', 'source repo URL (key grants)', '')
    .option('--release-name <name>', 'Helm release name (default: the app name)')
    .option('-f, --values <file>', 'Helm values file, relative to the app (repeatable)', collectList, [])
    .option('--set <k=v>', 'Helm --set value (repeatable)', collectKeyValue, {})
    .option('--recurse', 'plain directory: read subdirectories too')
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .action(async (path: string, flags: RenderFlags, cmd: Command) => {
      const { config, logger } = loadGlobals(cmd);
      const appDir = resolve(path);
      const repoRoot = resolve(flags.repoRoot ?? path);
      const options: RenderOptions = {
        valueFiles: flags.values,
        set: flags.set,
        ...(flags.releaseName ? { releaseName: flags.releaseName } : {}),
        ...(flags.recurse ? { recurse: true } : {}),
      };
      try {
        const result = await gate({
          appDir,
          repoRoot,
          context: {
            appName: flags.app ?? appDir.split('/').pop() ?? 'app',
            namespace: flags.namespace ?? 'default',
            project: flags.project ?? 'default',
            repoURL: flags.repoUrl ?? '',
            sourcePath: '.',
            revision: '',
            kubeVersion: process.env['KUBE_VERSION'] ?? '',
            apiVersions: (process.env['KUBE_API_VERSIONS'] ?? '').split(',').filter(Boolean),
          },
          options,
          config,
          logger,
        });
        process.exitCode = printResult(result, logger, flags.output);
      } catch (e) {
        process.exitCode = printError(e, logger);
      }
    });
}
