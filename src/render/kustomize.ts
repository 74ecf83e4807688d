import { resolveTool } from '../exec/index.js';
import { parseResources, type Resource } from '../k8s/index.js';
import { checkKustomization } from './check-kustomization.js';
import { displayPath } from '../repo/index.js';
import { runRenderTool } from './run-tool.js';
import type { RenderInput } from './types.js';

/** Builds the `kustomize build` argv: root-only loads, never exec or alpha (KRM) plugins. */
export function kustomizeBuildArgs(input: Pick<RenderInput, 'appDir' | 'config' | 'loadRestrictor'>, helm?: string): string[] {
  const restrictor = input.loadRestrictor === 'none' ? 'LoadRestrictionsNone' : 'LoadRestrictionsRootOnly';
  const args = ['build', input.appDir, `--load-restrictor=${restrictor}`];
  if (input.config.spec.render.kustomize.enableHelm) {
    args.push('--enable-helm');
    if (helm !== undefined) args.push(`--helm-command=${helm}`);
  }
  return args;
}

/**
 * Renders a Kustomize dir with `kustomize build`. Bases such as `../../base` are separate
 * kustomization roots, so they work under LoadRestrictionsRootOnly (checked with kustomize
 * v5.7.1); a patch or resource *file* outside its own root does not.
 */
export async function renderKustomize(input: RenderInput): Promise<Resource[]> {
  const { appDir, repoRoot, config } = input;
  const label = displayPath(repoRoot, appDir);
  checkKustomization(appDir, repoRoot, { enableHelm: config.spec.render.kustomize.enableHelm }, input.kustomizationTree);
  const args = kustomizeBuildArgs(input, config.spec.render.kustomize.enableHelm ? resolveTool('helm') : undefined);
  const stdout = await runRenderTool(input, 'kustomize', args, 'RENDER_KUSTOMIZE_FAILED', `kustomize build ${label}`);
  return parseResources(stdout, `kustomize build ${label}`);
}
