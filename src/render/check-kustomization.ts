import { SyncgateError } from '../errors/index.js';
import { walkKustomization, type KustomizationTree } from '../repo/index.js';

function helmCharts(k: Record<string, unknown>): Record<string, unknown>[] {
  const charts = k['helmCharts'];
  return Array.isArray(charts) ? charts.filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null) : [];
}

function checkHelmCharts(k: Record<string, unknown>, source: string, enableHelm: boolean): void {
  const charts = helmCharts(k);
  if (charts.length === 0) return;
  if (!enableHelm) {
    throw new SyncgateError(
      'RENDER_TYPE_DISABLED',
      `${source}: helmCharts needs kustomize --enable-helm, which the platform config does not allow (spec.render.kustomize.enableHelm)`,
    );
  }
  for (const c of charts) {
    const repo = typeof c['repo'] === 'string' ? c['repo'] : '';
    if (repo !== '') {
      throw new SyncgateError(
        'RENDER_KUSTOMIZE_REMOTE_BASE',
        `${source}: helmCharts ${String(c['name'])} from ${repo}: remote charts are not allowed, vendor the chart under helmGlobals.chartHome and drop repo`,
      );
    }
  }
}

/**
 * Walks every kustomization reachable from `dir` with the repo's one walk (remote references,
 * paths outside the repo and missing paths refused) and checks helmCharts against the platform
 * config, before kustomize runs. kustomize's own root-only restrictor then bounds reads per root.
 * `walked` is that walk when an earlier stage of the request already made it (the SOPS stage).
 */
export function checkKustomization(dir: string, repoRoot: string, opts: { enableHelm: boolean }, walked?: KustomizationTree): void {
  const check = (k: Record<string, unknown>, source: string): void => checkHelmCharts(k, source, opts.enableHelm);
  if (walked === undefined) walkKustomization(dir, repoRoot, check);
  else for (const { k, source } of walked.kustomizations) check(k, source);
}
