import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { GateConfig } from '../config/index.js';
import { SyncgateError, isSyncgateError } from '../errors/index.js';
import { createWorkDir, removeWorkDir } from '../gate/index.js';
import { parseDocuments } from '../k8s/index.js';
import type { Logger, Redactor } from '../log/index.js';
import { copySource, fluxBuild, resolveSpecPath, type FluxBuildResult } from './build.js';
import { kustomizationsIn, type FluxKustomization } from './kustomization.js';
import type { VariableSource } from './variables.js';

/** One Kustomization of a cluster tree: its build, or why it has none. */
export interface TreeBuild {
  kustomization: FluxKustomization;
  result?: FluxBuildResult;
  error?: SyncgateError;
  /** Wall time of this Kustomization's build (ms). */
  ms: number;
}

/** Every Kustomization of a tree, in dependsOn order, and one verdict for all of them. */
export interface TreeResult {
  builds: TreeBuild[];
  /** A dependsOn that names a Kustomization outside the tree (ordered as if it were ready). */
  notices: string[];
  /** True when any build was refused by policy. */
  refused: boolean;
  /** True when any build failed without a verdict. */
  failed: boolean;
}

function key(ns: string, name: string): string {
  return `${ns}/${name}`;
}

function isFluxKustomization(d: unknown): boolean {
  if (typeof d !== 'object' || d === null) return false;
  const o = d as { kind?: unknown; apiVersion?: unknown };
  return o.kind === 'Kustomization' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/');
}

/**
 * Every Flux Kustomization in the `.yaml`/`.yml` files under `dir` (lexical order, hidden
 * directories and `.git` left out). A file that is not YAML is refused: Flux would fail to apply it.
 */
export function findKustomizations(dir: string, repoRoot: string): FluxKustomization[] {
  const out: FluxKustomization[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && /\.ya?ml$/.test(e.name)) {
        const text = readFileSync(full, 'utf8');
        if (!text.includes('kustomize.toolkit.fluxcd.io/')) continue;
        const rel = relative(repoRoot, full).split(sep).join('/');
        const docs = parseDocuments(text, rel).filter(isFluxKustomization);
        out.push(...kustomizationsIn(docs, rel));
      }
    }
  };
  walk(dir);
  const seen = new Set<string>();
  for (const ks of out) {
    const k = key(ks.namespace, ks.name);
    if (seen.has(k)) throw new SyncgateError('FLUX_TREE_INVALID', `Kustomization/${k}: defined twice (second in ${ks.file ?? '?'})`);
    seen.add(k);
  }
  if (out.length === 0) {
    throw new SyncgateError('FLUX_TREE_INVALID', `${relative(repoRoot, dir) || '.'}: no kustomize.toolkit.fluxcd.io Kustomization found`);
  }
  return out;
}

/**
 * Orders Kustomizations so each comes after what it dependsOn (kustomize-controller waits for
 * them to be ready); otherwise the order found. A cycle is refused with FLUX_TREE_INVALID.
 */
export function dependencyOrder(list: readonly FluxKustomization[]): { ordered: FluxKustomization[]; notices: string[] } {
  const byKey = new Map(list.map((k) => [key(k.namespace, k.name), k]));
  const notices: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const ordered: FluxKustomization[] = [];
  const visit = (ks: FluxKustomization, path: string[]): void => {
    const k = key(ks.namespace, ks.name);
    if (state.get(k) === 'done') return;
    if (state.get(k) === 'visiting') {
      throw new SyncgateError('FLUX_TREE_INVALID', `Kustomization/${k}: dependsOn cycle: ${[...path, k].join(' -> ')}`);
    }
    state.set(k, 'visiting');
    for (const d of ks.dependsOn ?? []) {
      const dep = byKey.get(key(d.namespace, d.name));
      if (dep) visit(dep, [...path, k]);
      else notices.push(`Kustomization/${k}: dependsOn ${key(d.namespace, d.name)}, which is not in the tree`);
    }
    state.set(k, 'done');
    ordered.push(ks);
  };
  for (const ks of list) visit(ks, []);
  return { ordered, notices };
}

/** What a whole-tree build needs (the same for every Kustomization in it). */
export interface TreeBuildRequest {
  /** The directory holding the Kustomization objects (e.g. `clusters/prod`). */
  tree: string;
  /** Source root: every spec.path is relative to it. */
  repoRoot: string;
  sources: readonly VariableSource[];
  config: GateConfig;
  logger: Logger;
  strict?: boolean;
  redactor: Redactor;
  now?: Date;
  /**
   * Only Kustomizations whose sourceRef is this `Kind/namespace/name` are built (the others read
   * another repository); the rest are listed as notices. Default: every Kustomization.
   */
  source?: string;
  /** Called after each Kustomization (progress). */
  onBuilt?: (b: TreeBuild) => void;
}

/**
 * Builds every Kustomization of a cluster tree as kustomize-controller would, in dependsOn order,
 * over one private copy of the source. A build that fails is recorded and the others still run:
 * one report for the tree.
 */
export async function fluxBuildTree(req: TreeBuildRequest): Promise<TreeResult> {
  const { ordered: all, notices } = dependencyOrder(findKustomizations(req.tree, req.repoRoot));
  const ordered = req.source === undefined ? all : all.filter((k) => k.sourceRef === req.source);
  for (const k of all) {
    if (!ordered.includes(k)) notices.push(`Kustomization/${k.namespace}/${k.name}: not built, its source is ${k.sourceRef ?? 'not set'}`);
  }
  const work = createWorkDir('syncgate-flux-tree-');
  const builds: TreeBuild[] = [];
  try {
    const copy = copySource(req.repoRoot, join(work, 'source'));
    for (const ks of ordered) {
      const t0 = performance.now();
      const b: TreeBuild = { kustomization: ks, ms: 0 };
      try {
        b.result = await fluxBuild({
          kustomization: ks,
          repoRoot: req.repoRoot,
          appDir: resolveSpecPath(req.repoRoot, ks.path),
          sourceCopy: copy,
          sources: req.sources,
          config: req.config,
          logger: req.logger,
          redactor: req.redactor,
          ...(req.strict === undefined ? {} : { strict: req.strict }),
          ...(req.now ? { now: req.now } : {}),
        });
      } catch (e) {
        if (!isSyncgateError(e)) throw e;
        b.error = e;
      }
      b.ms = Math.round(performance.now() - t0);
      builds.push(b);
      req.onBuilt?.(b);
    }
  } finally {
    await removeWorkDir(work);
  }
  return {
    builds,
    notices,
    refused: builds.some((b) => b.result?.gate.decision.refused === true),
    failed: builds.some((b) => b.error !== undefined),
  };
}

/** The tree's report: one line per Kustomization, then each refusal's findings and each error. */
export function treeReport(r: TreeResult): string {
  const lines: string[] = [];
  for (const b of r.builds) {
    const id = `Kustomization/${b.kustomization.namespace}/${b.kustomization.name}`;
    if (b.error) lines.push(`${id}: error: ${b.error.code}: ${b.error.message}`);
    else if (b.result) {
      const d = b.result.gate.decision;
      lines.push(`${id}: ${d.refused ? 'refused' : 'allowed'}: ${d.summary} (${b.ms} ms)`);
    }
  }
  for (const n of r.notices) lines.push(`notice: ${n}`);
  for (const b of r.builds) {
    if (b.result?.gate.decision.refused) lines.push('', `Kustomization/${b.kustomization.namespace}/${b.kustomization.name}:`, b.result.gate.decision.report);
  }
  const allowed = r.builds.filter((b) => b.result && !b.result.gate.decision.refused).length;
  lines.unshift(
    `flux build: ${r.builds.length} Kustomizations: ${allowed} allowed, ${r.builds.filter((b) => b.result?.gate.decision.refused).length} refused, ${r.builds.filter((b) => b.error).length} failed`,
  );
  return lines.join('\n');
}
