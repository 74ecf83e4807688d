import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SyncgateError } from '../errors/index.js';
import type { Resource } from '../k8s/index.js';
import { checkHelmDependencies } from './helm-dependencies.js';
import { cleanSetValue, helmParameterArgs, readChartValues } from './helm-parameters.js';
import { parseHelmOutput } from './parse-helm-output.js';
import { checkSymlinks, displayPath, resolveInsideRepo } from '../repo/index.js';
import { runRenderTool } from './run-tool.js';
import type { RenderInput } from './types.js';

// Helm's own release-name rule (pkg/chartutil ValidateReleaseName); it also keeps a hostile
// name such as `--post-renderer=…` from being read as a flag.
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The release name: the option, else the app name (`<ns>_<name>` for apps outside argocd's namespace → `<name>`). */
export function releaseNameFor(input: Pick<RenderInput, 'options' | 'context'>): string {
  const name = input.options.releaseName ?? input.context.appName.split('_').pop() ?? '';
  if (name.length > 53 || !RELEASE_NAME.test(name)) {
    throw new SyncgateError(
      'RENDER_HELM_FAILED',
      `release name ${JSON.stringify(name)}: must be a DNS-1123 name of at most 53 characters (set the release-name parameter)`,
    );
  }
  return name;
}

/** Builds the `helm template` argv (every value in `--flag=value` form, so no value reads as a flag). */
export async function helmTemplateArgs(input: RenderInput): Promise<string[]> {
  const { appDir, repoRoot, context, options, config } = input;
  const args = ['template', releaseNameFor(input), appDir];
  if (context.namespace) args.push(`--namespace=${context.namespace}`);
  // Argo CD sends the cluster's version; without one the platform's default, else helm's own.
  const kubeVersion = context.kubeVersion || (config.spec.render.helm.kubeVersion ?? '');
  if (kubeVersion) args.push(`--kube-version=${kubeVersion}`);
  // KUBE_API_VERSIONS can be tens of KB; helm appends repeated --api-versions, and chunks
  // keep each argv entry far below Linux's 128 KiB MAX_ARG_STRLEN.
  let chunk: string[] = [];
  let size = 0;
  for (const v of context.apiVersions) {
    if (size + v.length > 16 * 1024 && chunk.length > 0) {
      args.push(`--api-versions=${chunk.join(',')}`);
      chunk = [];
      size = 0;
    }
    chunk.push(v);
    size += v.length + 1;
  }
  if (chunk.length > 0) args.push(`--api-versions=${chunk.join(',')}`);
  if (!options.skipCrds) args.push('--include-crds');
  for (const f of options.valueFiles ?? []) {
    args.push(`--values=${resolveInsideRepo(repoRoot, appDir, f, 'values file')}`);
  }
  if (options.values !== undefined && options.values.trim() !== '') {
    const inline = join(input.workDir, 'inline-values.yaml');
    await writeFile(inline, options.values, { mode: 0o600 });
    args.push(`--values=${inline}`);
  }
  if (options.helmParameters !== undefined && Object.keys(options.helmParameters).length > 0) {
    args.push(...helmParameterArgs(readChartValues(appDir, repoRoot), options.helmParameters));
  }
  // Commas escaped as Argo CD's Helm source does (util/helm/cmd.go cleanSetParameters).
  for (const [k, v] of Object.entries(options.set ?? {})) args.push(`--set=${k}=${cleanSetValue(v)}`);
  for (const [k, v] of Object.entries(options.setString ?? {})) args.push(`--set-string=${k}=${cleanSetValue(v)}`);
  for (const f of input.extraValueFiles) args.push(`--values=${f}`);
  if (input.valuesStdin !== undefined) args.push('--values=-');
  args.push(...config.spec.render.helm.extraArgs);
  return args;
}

/** Renders a self-contained Helm chart with `helm template` (no repository, no network). */
export async function renderHelm(input: RenderInput): Promise<Resource[]> {
  const { appDir, repoRoot } = input;
  const label = displayPath(repoRoot, appDir);
  checkSymlinks(appDir, repoRoot);
  checkHelmDependencies(appDir, repoRoot);
  const args = await helmTemplateArgs(input);
  const stdout = await runRenderTool(input, 'helm', args, 'RENDER_HELM_FAILED', `helm template ${label}`);
  return parseHelmOutput(stdout, `helm template ${label}`);
}
