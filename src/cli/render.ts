import { Redactor } from '../log/index.js';
import { basename, relative } from 'node:path';
import { Option, type Command } from 'commander';
import { optionsFromParameters, parametersFromFlags } from '../cmp/params.js';
import type { RenderOptions } from '../gate/index.js';
import { detectSourceType } from '../render/detect.js';
import { collectKeyValue, collectList, loadGlobals } from './options.js';
import { printError, printResult } from './output.js';
import { checkAppNames, checkValuesFlags, commandLinePath } from './paths.js';

interface RenderFlags {
  app?: string;
  project: string;
  namespace: string;
  repoRoot?: string;
  repoUrl: string;
  releaseName?: string;
  values: string[];
  set: Record<string, string>;
  setString: Record<string, string>;
  param: string[];
  recurse?: boolean;
  type?: RenderOptions['type'];
  kubeVersion: string;
  apiVersions: string;
  output: 'yaml' | 'json';
}

/** `syncgate render <path>`: the same pipeline as the sidecar, for humans and CI. */
export function registerRender(program: Command): void {
  program
    .command('render')
    .description('render, decrypt and gate an app directory; manifests to stdout')
    .argument('<path>', 'app directory (Helm chart, Kustomize dir or plain manifests)')
    .option('--app <name>', 'application name (Helm release name, key grants; default: the directory name)')
    .option('--project <name>', 'Argo CD project (key grants, exceptions)', 'default')
    .option('--namespace <ns>', 'destination namespace', 'default')
    .option('--repo-root <dir>', 'repository root; app paths may not leave it (default: the app path)')
    .option('--repo-url <url>', 'source repo URL (key grants)', '')
    .option('--release-name <name>', 'Helm release name (default: the app name)')
    .option('-f, --values <file>', 'Helm values file, relative to the app (repeatable)', collectList, [])
    .option('--set <k=v>', 'Helm --set value (repeatable)', collectKeyValue, {})
    .option('--set-string <k=v>', 'Helm --set-string value (repeatable)', collectKeyValue, {})
    .option('-p, --param <name=value>', 'an Argo CD plugin parameter, e.g. values-files=a.yaml or set=image.tag=1.2 (repeatable)', collectList, [])
    .option('--recurse', 'plain directory: read subdirectories too')
    .addOption(new Option('--type <type>', 'force the renderer instead of detecting it').choices(['helm', 'kustomize', 'directory']))
    .addOption(new Option('--kube-version <v>', 'target Kubernetes version for helm (e.g. 1.30.2)').env('KUBE_VERSION').default(''))
    .addOption(new Option('--api-versions <list>', 'comma-separated API versions for helm').env('KUBE_API_VERSIONS').default(''))
    .addOption(new Option('-o, --output <format>', 'yaml or json').choices(['yaml', 'json']).default('yaml'))
    .action(async (path: string, flags: RenderFlags, cmd: Command) => {
      const redactor = new Redactor();
      let logger;
      try {
        // Every path and name the user typed is checked before anything runs, worded for the flag.
        const appDir = commandLinePath(path, 'app directory', 'directory');
        const repoRoot = flags.repoRoot === undefined ? appDir : commandLinePath(flags.repoRoot, '--repo-root', 'directory');
        const appName = flags.app ?? basename(appDir);
        const helm = flags.type === 'helm' || (flags.type === undefined && detectSourceType(appDir) === 'helm');
        checkAppNames(appName, flags.app === undefined ? `the app name (the directory name; give --app)` : '--app', flags.releaseName, helm);
        checkValuesFlags(flags.values, appDir, repoRoot, path);
        const globals = loadGlobals(cmd);
        logger = globals.logger;
        const { config } = globals;
        const base: RenderOptions = {
          ...(flags.values.length > 0 ? { valueFiles: flags.values } : {}),
          ...(Object.keys(flags.set).length > 0 ? { set: flags.set } : {}),
          ...(Object.keys(flags.setString).length > 0 ? { setString: flags.setString } : {}),
          // the release name is the app name unless given: never derived from it by rewriting
          ...(helm ? { releaseName: flags.releaseName ?? appName } : {}),
          ...(flags.recurse ? { recurse: true } : {}),
          ...(flags.type ? { type: flags.type } : {}),
        };
        const options = optionsFromParameters(parametersFromFlags(flags.param), base);
        const { gate } = await import('../gate/index.js');
        const result = await gate({
          redactor,
          appDir,
          repoRoot,
          context: {
            appName,
            namespace: flags.namespace,
            project: flags.project,
            repoURL: flags.repoUrl,
            sourcePath: relative(repoRoot, appDir) || '.',
            revision: '',
            kubeVersion: flags.kubeVersion,
            apiVersions: flags.apiVersions
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          },
          options,
          config,
          logger,
        });
        process.exitCode = printResult(result, logger, flags.output);
      } catch (e) {
        process.exitCode = printError(e, logger, redactor);
      }
    });
}
