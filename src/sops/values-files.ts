import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import picomatch from 'picomatch';
import { SyncgateError, isSyncgateError } from '../errors/index.js';
import { displayPath, resolveInsideRepo } from '../repo/index.js';
import type { MapNode } from './tree.js';
import { helmValuesStdin } from './helm-values.js';
import { decryptRepoFile, type PrepareContext } from './repo-file.js';

// The config is parsed once and frozen: compile its values-file patterns once, not per request.
const valuesMatchers = new WeakMap<readonly string[], (name: string) => boolean>();
function valuesFileMatcher(patterns: readonly string[]): (name: string) => boolean {
  let m = valuesMatchers.get(patterns);
  if (m === undefined) {
    m = picomatch([...patterns], { dot: true });
    valuesMatchers.set(patterns, m);
  }
  return m;
}

export interface DecryptedValues {
  /** The decrypted values files merged for helm's stdin, when any was encrypted. */
  helmValues?: Buffer;
  /** The app's values files without the encrypted ones. */
  valueFiles: string[];
  decrypted: { file: string; keys: string[] }[];
}

/**
 * Decrypts the chart's SOPS-encrypted Helm values files (named, or matching
 * `spec.sops.valuesFilePatterns`) in memory. Each path is resolved by the repo filesystem: one
 * leaving the repo is RENDER_PATH_OUTSIDE_REPO here, a missing one is left to the renderer.
 */
export async function decryptValuesFiles(ctx: PrepareContext, appDir: string, named: readonly string[]): Promise<DecryptedValues> {
  const { req, repoRoot } = ctx;
  const valueFiles = [...named];
  const out: DecryptedValues = { valueFiles, decrypted: [] };
  const isChart = req.options.type === 'helm' || existsSync(join(appDir, 'Chart.yaml'));
  if (!isChart) return out;
  const isPattern = valuesFileMatcher(req.config.spec.sops.valuesFilePatterns);
  // One directory of the request's own extracted repo: listed in place, not through the thread pool.
  const listed = readdirSync(appDir, { withFileTypes: true })
    .filter((e) => e.isFile() && isPattern(e.name))
    .map((e) => e.name)
    .sort();
  const candidates = [...named, ...listed.filter((f) => !named.some((n) => resolve(appDir, n) === resolve(appDir, f)))];
  const branches: MapNode[][] = [];
  for (const f of candidates) {
    let real: string;
    try {
      real = resolveInsideRepo(repoRoot, appDir, f, 'values file');
    } catch (e) {
      if (isSyncgateError(e, 'RENDER_PATH_NOT_FOUND')) continue;
      throw e;
    }
    const rel = displayPath(repoRoot, resolve(appDir, f));
    const res = await decryptRepoFile(ctx, real, rel);
    if (!res) continue;
    if (res.format !== 'yaml' && res.format !== 'json') {
      throw new SyncgateError('SOPS_FORMAT_INVALID', `${rel}: a Helm values file must be YAML or JSON, not ${res.format}`);
    }
    branches.push(res.branches);
    out.decrypted.push({ file: rel, keys: res.keyNames });
    const i = valueFiles.indexOf(f);
    if (i >= 0) valueFiles.splice(i, 1);
  }
  // Never written to disk: helm reads them merged from its stdin (`--values=-`).
  if (branches.length > 0) out.helmValues = helmValuesStdin(branches);
  return out;
}
