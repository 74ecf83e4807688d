import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SyncgateError } from '../errors/index.js';
import { isMap, parseDocuments } from '../k8s/index.js';
import { displayPath } from '../repo/index.js';

interface Dependency {
  /** The file that lists it (Chart.yaml or requirements.yaml), for messages. */
  source: string;
  name: string;
  version?: string;
  repository?: string;
  alias?: string;
}

function readDependencies(chartYaml: string, source: string): Dependency[] {
  const docs = parseDocuments(chartYaml, source);
  const chart = docs[0];
  if (!isMap(chart)) throw new SyncgateError('RENDER_HELM_CHART_INVALID', `${source}: not a mapping`);
  const deps = chart['dependencies'];
  if (deps === undefined || deps === null) return [];
  if (!Array.isArray(deps)) throw new SyncgateError('RENDER_HELM_CHART_INVALID', `${source}: dependencies is not a list`);
  return deps.map((d: unknown, i) => {
    if (!isMap(d) || typeof d['name'] !== 'string' || d['name'] === '') {
      throw new SyncgateError('RENDER_HELM_CHART_INVALID', `${source}: dependencies[${i}]: missing name`);
    }
    const str = (k: string): Record<string, string> => (typeof d[k] === 'string' ? { [k]: d[k] } : {});
    return { source, name: d['name'], ...str('version'), ...str('repository'), ...str('alias') };
  });
}

/** A vendored subchart: `charts/<name>/Chart.yaml` or `charts/<name>-<version>.tgz`. */
function vendoredNames(chartDir: string): { dirs: Set<string>; archives: string[] } {
  const charts = join(chartDir, 'charts');
  const entries = existsSync(charts) ? readdirSync(charts, { withFileTypes: true }) : [];
  const dirs = new Set<string>();
  const archives: string[] = [];
  for (const e of entries) {
    if (e.name.endsWith('.tgz') || e.name.endsWith('.tar.gz')) archives.push(e.name);
    else if (e.isDirectory() || e.isSymbolicLink()) dirs.add(e.name);
  }
  return { dirs, archives };
}

/**
 * Checks, before helm runs, that every dependency in Chart.yaml is vendored under `charts/`
 * (recursively for vendored subchart dirs). syncgate never lets helm reach a repository, so a
 * missing one is a clear error instead of a network call or helm's generic message.
 */
export function checkHelmDependencies(chartDir: string, repoRoot: string): void {
  const source = displayPath(repoRoot, join(chartDir, 'Chart.yaml'));
  let text: string;
  try {
    text = readFileSync(join(chartDir, 'Chart.yaml'), 'utf8');
  } catch {
    throw new SyncgateError('RENDER_HELM_CHART_INVALID', `${source}: cannot read the chart's Chart.yaml`);
  }
  const deps = readDependencies(text, source);
  // apiVersion v1 charts list their dependencies in requirements.yaml (helm 3 still reads it).
  const requirementsFile = join(chartDir, 'requirements.yaml');
  if (existsSync(requirementsFile)) deps.push(...readDependencies(readFileSync(requirementsFile, 'utf8'), displayPath(repoRoot, requirementsFile)));
  if (deps.length === 0) return;
  const { dirs, archives } = vendoredNames(chartDir);
  for (const d of deps) {
    const dirName = [d.name, d.alias].find((n) => n !== undefined && dirs.has(n));
    const versioned = new RegExp(`^${d.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-v?\\d`);
    const archive = archives.find((a) => versioned.test(a));
    if (dirName !== undefined) {
      checkHelmDependencies(join(chartDir, 'charts', dirName), repoRoot);
      continue;
    }
    if (archive !== undefined) continue;
    const repo = d.repository ?? '';
    const from = repo === '' ? '' : ` from ${repo}`;
    const remote = /^(oci|https?):\/\//.test(repo) || repo.startsWith('@') ? ' (syncgate never downloads charts)' : '';
    throw new SyncgateError(
      'RENDER_HELM_DEPENDENCY_MISSING',
      `${d.source}: dependency ${d.name}${d.version ? ` ${d.version}` : ''}${from} is not vendored under charts/${remote}: run \`helm dependency build\` and commit charts/`,
      { details: { chart: d.source, dependency: d.name, repository: repo } },
    );
  }
}
