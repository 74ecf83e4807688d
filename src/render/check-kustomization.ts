import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { SyncgateError } from '../errors/index.js';
import { parseDocuments } from '../k8s/index.js';
import { findKustomization } from './detect.js';
import { displayPath, resolveInsideRepo } from './resolve-path.js';

// What kustomize would fetch instead of reading a local path: URLs, scp-style git, go-getter
// forms, hosted-git shorthands, `?ref=` and `repo//subdir` (kustomize api/internal/git/repospec.go).
const REMOTE = [
  /^[a-z][a-z0-9+.-]*:\/\//i,
  /^[a-z][a-z0-9+.-]*::/i,
  /^[\w.-]+@[\w.-]+:/,
  /^(github\.com|gitlab\.com|bitbucket\.org|dev\.azure\.com|ssh\.dev\.azure\.com|[\w-]+\.visualstudio\.com)(\/|:)/i,
  /[?&](ref|version|submodules|timeout)=/,
  /\.git(\/|$|\?)/,
  /\/_git\//,
  /^[^/]+\.[^/]+\/.*\/\//,
];

/** True when kustomize would treat `p` as something to download. */
export function isRemoteReference(p: string): boolean {
  return REMOTE.some((r) => r.test(p.trim()));
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Ref {
  field: string;
  path: string;
  /** Directories are kustomization roots of their own and are walked. */
  mayBeDir: boolean;
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

/** Every path a kustomization file makes kustomize read. */
function references(k: Record<string, unknown>, source: string): Ref[] {
  const refs: Ref[] = [];
  for (const field of ['resources', 'bases', 'components']) {
    for (const p of strings(k[field], field, source)) refs.push({ field, path: p, mayBeDir: true });
  }
  for (const field of ['generators', 'transformers', 'validators']) {
    // Entries may also be inline YAML configs; only single-line entries are paths.
    for (const p of strings(k[field], field, source)) if (!p.includes('\n')) refs.push({ field, path: p, mayBeDir: true });
  }
  for (const field of ['crds', 'configurations']) {
    for (const p of strings(k[field], field, source)) refs.push({ field, path: p, mayBeDir: false });
  }
  for (const p of strings(k['patchesStrategicMerge'], 'patchesStrategicMerge', source)) {
    if (!p.includes('\n')) refs.push({ field: 'patchesStrategicMerge', path: p, mayBeDir: false });
  }
  for (const field of ['patches', 'patchesJson6902', 'replacements']) {
    for (const o of objects(k[field], field, source)) {
      if (typeof o['path'] === 'string') refs.push({ field, path: o['path'], mayBeDir: false });
    }
  }
  for (const field of ['configMapGenerator', 'secretGenerator']) {
    for (const o of objects(k[field], field, source)) {
      const files = [...strings(o['files'], `${field}.files`, source), ...strings(o['envs'], `${field}.envs`, source)];
      if (typeof o['env'] === 'string') files.push(o['env']);
      // `files` entries may be `key=path`.
      for (const f of files) refs.push({ field, path: f.includes('=') ? f.slice(f.indexOf('=') + 1) : f, mayBeDir: false });
    }
  }
  const openapi = k['openapi'];
  if (isMap(openapi) && typeof openapi['path'] === 'string') refs.push({ field: 'openapi', path: openapi['path'], mayBeDir: false });
  return refs;
}

/** Files and dirs that helmCharts/helmGlobals make kustomize (and helm) read. */
function helmReferences(k: Record<string, unknown>, source: string): Ref[] {
  const refs: Ref[] = [];
  const globals = k['helmGlobals'];
  if (isMap(globals) && typeof globals['chartHome'] === 'string') {
    refs.push({ field: 'helmGlobals.chartHome', path: globals['chartHome'], mayBeDir: false });
  }
  for (const c of objects(k['helmCharts'], 'helmCharts', source)) {
    if (typeof c['valuesFile'] === 'string') refs.push({ field: 'helmCharts.valuesFile', path: c['valuesFile'], mayBeDir: false });
    for (const f of strings(c['additionalValuesFiles'], 'helmCharts.additionalValuesFiles', source)) {
      refs.push({ field: 'helmCharts.additionalValuesFiles', path: f, mayBeDir: false });
    }
  }
  return refs;
}

function checkHelmCharts(k: Record<string, unknown>, source: string, enableHelm: boolean): void {
  const charts = objects(k['helmCharts'], 'helmCharts', source);
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
 * Walks every kustomization reachable from `dir` (resources, bases, components, generators,
 * patches, generator files) before kustomize runs: remote references are refused with
 * RENDER_KUSTOMIZE_REMOTE_BASE naming the kustomization file, and every local path must exist
 * inside the repo root. kustomize's own root-only restrictor then bounds file reads per root.
 */
export function checkKustomization(dir: string, repoRoot: string, opts: { enableHelm: boolean }): void {
  const seen = new Set<string>();
  const walk = (d: string): void => {
    if (seen.has(d)) return;
    seen.add(d);
    const file = findKustomization(d);
    if (file === undefined) return;
    const source = displayPath(repoRoot, file);
    const docs = parseDocuments(readFileSync(file, 'utf8'), source);
    const k = docs[0] ?? {};
    if (!isMap(k)) throw new SyncgateError('RENDER_KUSTOMIZE_INVALID', `${source}: not a mapping`);
    checkHelmCharts(k, source, opts.enableHelm);
    for (const ref of [...references(k, source), ...helmReferences(k, source)]) {
      if (isRemoteReference(ref.path)) {
        throw new SyncgateError(
          'RENDER_KUSTOMIZE_REMOTE_BASE',
          `${source}: ${ref.field} ${ref.path}: remote bases and resources are not allowed, vendor them into the repo`,
          { details: { kustomization: source, reference: ref.path } },
        );
      }
      const real = resolveInsideRepo(repoRoot, dirname(file), ref.path, `${source}: ${ref.field}`);
      if (ref.mayBeDir && statSync(real).isDirectory()) walk(real);
    }
  };
  walk(dir);
}

