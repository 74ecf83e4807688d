import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SyncgateError } from '../errors/index.js';
import { isMap, parseDocuments } from '../k8s/index.js';
import { displayPath, resolveInsideRepo } from './paths.js';
import { isRemoteReference } from './remote.js';

/** The file names Kustomize accepts, in its own order of preference. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** The kustomization file of `dir`, or undefined when it has none. */
export function findKustomization(dir: string): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** One path a kustomization makes kustomize (or the helm it runs) read. */
export interface KustomizationRef {
  /** The field it came from, e.g. `resources`, `secretGenerator.files`, `helmCharts.valuesFile`. */
  field: string;
  /** As written in the kustomization (for a `key=path` file source, the path part). */
  path: string;
  /** The kustomization file, repo-relative. */
  kustomization: string;
  /** Its path before symlinks are followed (what kustomize opens), inside the repo root. */
  lexical: string;
  /** Its real path, inside the repo root. */
  real: string;
  isDirectory: boolean;
}

export interface KustomizationTree {
  /** Every kustomization file reached, in walk order: its real path, its repo-relative name and its content. */
  kustomizations: { file: string; source: string; k: Record<string, unknown> }[];
  /** Every local path they read, resolved and checked. */
  refs: KustomizationRef[];
}

function strings(v: unknown, field: string, source: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    throw new SyncgateError('RENDER_KUSTOMIZE_INVALID', `${source}: ${field} must be a list of strings`);
  }
  return v as string[];
}

function objects(v: unknown, field: string, source: string): Record<string, unknown>[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((o) => !isMap(o))) {
    throw new SyncgateError('RENDER_KUSTOMIZE_INVALID', `${source}: ${field} must be a list of objects`);
  }
  return v as Record<string, unknown>[];
}

interface Named {
  field: string;
  path: string;
  /** A directory is a kustomization root of its own and is walked. */
  walk: boolean;
  /** A path kustomize only reads when it exists (helm's config home). */
  optional?: boolean;
}

/**
 * Every path a kustomization names, field by field as kustomize's api/types declares them
 * (kustomization.go, kvpairsources.go, helmchartargs.go, patch.go, replacementfield.go).
 */
export function kustomizationPaths(k: Record<string, unknown>, source: string): Named[] {
  const out: Named[] = [];
  const add = (field: string, path: string, walk = false, optional = false): void => {
    out.push({ field, path, walk, ...(optional ? { optional } : {}) });
  };
  for (const field of ['resources', 'bases', 'components']) for (const p of strings(k[field], field, source)) add(field, p, true);
  // Generators, transformers and validators may also be inline YAML configs: only one-line entries are paths.
  for (const field of ['generators', 'transformers', 'validators']) {
    for (const p of strings(k[field], field, source)) if (!p.includes('\n')) add(field, p, true);
  }
  for (const field of ['crds', 'configurations']) for (const p of strings(k[field], field, source)) add(field, p);
  for (const p of strings(k['patchesStrategicMerge'], 'patchesStrategicMerge', source)) if (!p.includes('\n')) add('patchesStrategicMerge', p);
  for (const field of ['patches', 'patchesJson6902', 'replacements']) {
    for (const o of objects(k[field], field, source)) if (typeof o['path'] === 'string') add(field, o['path']);
  }
  for (const field of ['configMapGenerator', 'secretGenerator']) {
    for (const g of objects(k[field], field, source)) {
      // `files` entries are `[key=]path`, a path may be a directory of files.
      for (const f of strings(g['files'], `${field}.files`, source)) add(`${field}.files`, f.includes('=') ? f.slice(f.indexOf('=') + 1) : f);
      for (const f of strings(g['envs'], `${field}.envs`, source)) add(`${field}.envs`, f);
      if (typeof g['env'] === 'string') add(`${field}.env`, g['env']);
      for (const f of strings(g['ageIdentities'], `${field}.ageIdentities`, source)) add(`${field}.ageIdentities`, f);
    }
  }
  const openapi = k['openapi'];
  if (isMap(openapi) && typeof openapi['path'] === 'string') add('openapi.path', openapi['path']);
  const globals = k['helmGlobals'];
  if (isMap(globals)) {
    if (typeof globals['chartHome'] === 'string') add('helmGlobals.chartHome', globals['chartHome']);
    if (typeof globals['configHome'] === 'string') add('helmGlobals.configHome', globals['configHome'], false, true);
  }
  for (const c of objects(k['helmCharts'], 'helmCharts', source)) {
    if (typeof c['valuesFile'] === 'string') add('helmCharts.valuesFile', c['valuesFile']);
    for (const f of strings(c['additionalValuesFiles'], 'helmCharts.additionalValuesFiles', source)) add('helmCharts.additionalValuesFiles', f);
  }
  // Deprecated; kustomize converts it to helmGlobals/helmCharts (types.SplitHelmParameters).
  for (const c of objects(k['helmChartInflationGenerator'], 'helmChartInflationGenerator', source)) {
    if (typeof c['chartHome'] === 'string') add('helmChartInflationGenerator.chartHome', c['chartHome']);
    if (typeof c['values'] === 'string') add('helmChartInflationGenerator.values', c['values']);
    if (typeof c['helmHome'] === 'string') add('helmChartInflationGenerator.helmHome', c['helmHome'], false, true);
  }
  return out;
}

/**
 * The one kustomization walk: from `dir`, every kustomization reachable through local
 * resources/bases/components/generators, and every path each one reads. A remote reference is
 * RENDER_KUSTOMIZE_REMOTE_BASE naming the kustomization file; a path that leaves the real repo
 * root `repoRoot` is RENDER_PATH_OUTSIDE_REPO, a missing one RENDER_PATH_NOT_FOUND.
 * `onKustomization` sees each parsed file first (a stage's own checks, e.g. helmCharts).
 */
export function walkKustomization(
  dir: string,
  repoRoot: string,
  onKustomization?: (k: Record<string, unknown>, source: string) => void,
): KustomizationTree {
  const tree: KustomizationTree = { kustomizations: [], refs: [] };
  const seen = new Set<string>();
  const walk = (d: string): void => {
    if (seen.has(d)) return;
    seen.add(d);
    const file = findKustomization(d);
    if (file === undefined) return;
    const source = displayPath(repoRoot, file);
    const k = parseDocuments(readFileSync(resolveInsideRepo(repoRoot, d, basename(file), 'kustomization'), 'utf8'), source)[0] ?? {};
    if (!isMap(k)) throw new SyncgateError('RENDER_KUSTOMIZE_INVALID', `${source}: not a mapping`);
    tree.kustomizations.push({ file, source, k });
    onKustomization?.(k, source);
    for (const n of kustomizationPaths(k, source)) {
      if (isRemoteReference(n.path)) {
        throw new SyncgateError(
          'RENDER_KUSTOMIZE_REMOTE_BASE',
          `${source}: ${n.field} ${n.path}: remote bases and resources are not allowed, vendor them into the repo`,
          { details: { kustomization: source, reference: n.path } },
        );
      }
      let real: string;
      try {
        real = resolveInsideRepo(repoRoot, dirname(file), n.path, `${source}: ${n.field}`);
      } catch (e) {
        if (n.optional === true && e instanceof SyncgateError && e.code === 'RENDER_PATH_NOT_FOUND') continue;
        throw e;
      }
      const isDirectory = statSync(real).isDirectory();
      tree.refs.push({ field: n.field, path: n.path, kustomization: source, lexical: resolve(dirname(file), n.path), real, isDirectory });
      if (n.walk && isDirectory) walk(real);
    }
  };
  walk(dir);
  return tree;
}
