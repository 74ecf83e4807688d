// The kustomization.yaml kustomize-controller builds, written the way its generator writes it
// (fluxcd/pkg kustomize/kustomize_generator.go, GenerateManifest), so that the real `kustomize
// build` produces what Flux applies instead of syncgate re-implementing kustomize's transformers:
//
// - a directory with a kustomization file keeps it, read through kustomize's Kustomization type
//   (fields it does not know are dropped) and, when it lists no `resources`, gets
//   `buildMetadata: [originAnnotations]` (Flux's guard against "kustomization.yaml is empty");
// - a directory without one gets a generated one: a lexical walk of the whole tree, hidden
//   directories included, taking every `.yaml`/`.yml` file (exact, case-sensitive extensions) that
//   parses, and every subdirectory holding its own kustomization file as one resource (not
//   descended); with nothing found, `namespace: _placeholder`;
// - then the Kustomization's spec fields, in the generator's order: targetNamespace → namespace
//   (kustomize's namespace transformer also renames Namespace objects and binding subjects),
//   namePrefix, nameSuffix, patches, components (local relative paths only; missing ones skipped
//   with ignoreMissingComponents), patchesStrategicMerge, patchesJson6902, images (merged into an
//   entry of the same name), buildMetadata.
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { SyncgateError, isSyncgateError } from '../errors/index.js';
import { isMap, parseDocuments } from '../k8s/index.js';
import { KUSTOMIZATION_FILES, displayPath, resolveInsideRepo } from '../repo/index.js';
import type { FluxGeneratorFields, FluxKustomization } from './kustomization.js';

/** The top-level fields of kustomize's Kustomization type (api/types/kustomization.go, v5). */
const KNOWN_FIELDS = new Set([
  'apiVersion', 'kind', 'metadata', 'openapi', 'namePrefix', 'nameSuffix', 'namespace', 'commonLabels', 'labels',
  'commonAnnotations', 'patchesStrategicMerge', 'patchesJson6902', 'patches', 'images', 'imageTags', 'replacements',
  'replicas', 'vars', 'sortOptions', 'resources', 'components', 'crds', 'bases', 'configMapGenerator', 'secretGenerator',
  'helmGlobals', 'helmCharts', 'helmChartInflationGenerator', 'generatorOptions', 'configurations', 'generators',
  'transformers', 'validators', 'buildMetadata',
]);

/** The fields of a Flux patch target that kustomize's selector takes (generator adaptSelector). */
const SELECTOR_FIELDS = ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'] as const;

type Kustomization = Record<string, unknown>;

/** What the generator did, and how to put the directory back. */
export interface Generated {
  /** The kustomization file written. */
  file: string;
  /** The kustomization as written. */
  kustomization: Kustomization;
  /** True when the directory had no kustomization file (Flux's CreatedAction). */
  created: boolean;
  /** Restores the directory: removes a created file, or writes the original back. */
  restore: () => void;
}

function fail(what: string): SyncgateError {
  return new SyncgateError('FLUX_GENERATE_FAILED', what);
}

function kustomizationFileIn(dir: string): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    const p = join(dir, name);
    if (existsSync(p) && !statSync(p).isDirectory()) return p;
  }
  return undefined;
}

/** Go's sort.Strings order (bytes), which filepath.Walk uses. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The resources of a directory without a kustomization file, as Flux's scanManifests lists them. */
function scanManifests(root: string, base: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    // filepath.Walk uses Lstat: a symlinked directory is not descended (Dirent types are lstat's).
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => byBytes(a.name, b.name));
    for (const e of entries) {
      const name = e.name;
      const full = join(dir, name);
      const rel = `./${relative(base, full).split(sep).join('/')}`;
      if (e.isDirectory()) {
        if (kustomizationFileIn(full) !== undefined) {
          resolveInsideRepo(root, base, rel, 'resource');
          out.push(rel);
          continue;
        }
        walk(full);
        continue;
      }
      const dot = name.lastIndexOf('.');
      const ext = dot >= 0 ? name.slice(dot) : '';
      if (ext !== '.yaml' && ext !== '.yml') continue;
      const real = resolveInsideRepo(root, base, rel, 'resource');
      let text: string;
      try {
        text = readFileSync(real, 'utf8');
      } catch (e) {
        throw fail(`${displayPath(root, full)}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      try {
        parseDocuments(text, displayPath(root, full));
      } catch (e) {
        if (!isSyncgateError(e)) throw e;
        throw fail(`failed to decode Kubernetes YAML from ${displayPath(root, full)}: ${e.message}`);
      }
      out.push(rel);
    }
  };
  walk(base);
  return out;
}

/** kustomize_generator.go IsLocalRelativePath: no remote spellings, no absolute path. */
function isLocalRelativePath(p: string): boolean {
  const lower = p.toLowerCase();
  for (const prefix of ['git::', 'gh:', 'ssh://', 'https://', 'http://', 'git@', 'github.com:', 'github.com/']) {
    if (prefix.length < p.length && lower.startsWith(prefix)) return false;
  }
  return !isAbsolute(p) && !isAbsolute(lower.replace(/^file:\/\//, ''));
}

function selector(target: unknown): Record<string, string> | undefined {
  if (!isMap(target)) return undefined;
  const out: Record<string, string> = {};
  for (const f of SELECTOR_FIELDS) {
    const v = target[f];
    if (typeof v === 'string' && v !== '') out[f] = v;
  }
  return out;
}

function stringField(k: Kustomization, field: string, file: string): unknown[] {
  const v = k[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw fail(`${file}: ${field} must be a list`);
  return v;
}

/** Merges the Kustomization's spec fields into `k`, in kustomize_generator.go's order. */
function applySpec(k: Kustomization, ks: FluxKustomization, dir: string, file: string): void {
  const g: FluxGeneratorFields = ks.generator ?? {};
  if (ks.targetNamespace !== undefined) k['namespace'] = ks.targetNamespace;
  if (g.namePrefix !== undefined) k['namePrefix'] = g.namePrefix;
  if (g.nameSuffix !== undefined) k['nameSuffix'] = g.nameSuffix;
  for (const p of g.patches ?? []) {
    const target = selector(p['target']);
    const patch = typeof p['patch'] === 'string' ? p['patch'] : '';
    k['patches'] = [...stringField(k, 'patches', file), { ...(patch !== '' ? { patch } : {}), ...(target ? { target } : {}) }];
  }
  for (const c of g.components ?? []) {
    if (!isLocalRelativePath(c)) throw fail(`component path '${c}' must be local and relative`);
    if (g.ignoreMissingComponents === true && !existsSync(join(dir, c))) continue;
    k['components'] = [...stringField(k, 'components', file), c];
  }
  for (const p of g.patchesStrategicMerge ?? []) {
    // Multi-line, so the kustomization walk reads it as an inline patch, not a file name.
    k['patchesStrategicMerge'] = [...stringField(k, 'patchesStrategicMerge', file), JSON.stringify(p, null, 1)];
  }
  for (const p of g.patchesJson6902 ?? []) {
    const target = selector(p['target']);
    k['patchesJson6902'] = [
      ...stringField(k, 'patchesJson6902', file),
      { patch: JSON.stringify(p['patch'] ?? null), ...(target ? { target } : {}) },
    ];
  }
  for (const image of g.images ?? []) {
    const images = stringField(k, 'images', file).map((i) => (isMap(i) ? { ...i } : i));
    const at = images.findIndex((i) => isMap(i) && i['name'] === image['name']);
    const str = (f: string): string => {
      const v = image[f];
      return typeof v === 'string' ? v : '';
    };
    if (at >= 0) {
      const cur = images[at] as Record<string, unknown>;
      if (str('newName') !== '') cur['newName'] = str('newName');
      // newTag and digest pick the version together: setting one clears the other (kustomize's imagetag updater).
      if (str('newTag') !== '' || str('digest') !== '') {
        const { newTag: _t, digest: _d, ...rest } = cur;
        images[at] = { ...rest, ...(str('newTag') !== '' ? { newTag: str('newTag') } : {}), ...(str('digest') !== '' ? { digest: str('digest') } : {}) };
      }
    } else {
      const entry: Record<string, string> = { name: str('name') };
      for (const f of ['newName', 'newTag', 'digest']) if (str(f) !== '') entry[f] = str(f);
      images.push(entry);
    }
    k['images'] = images;
  }
  if (g.buildMetadata !== undefined && g.buildMetadata.length > 0) k['buildMetadata'] = [...g.buildMetadata];
}

/**
 * Writes the kustomization kustomize-controller would build at `dir` (inside `root`, a private
 * copy of the source): the existing one with the spec fields merged in, or a generated one.
 * Throws FLUX_GENERATE_FAILED where Flux's generator fails, RENDER_PATH_* for a path leaving root.
 */
export function generateKustomization(root: string, dir: string, ks: FluxKustomization): Generated {
  const existing = kustomizationFileIn(dir);
  let k: Kustomization;
  let file: string;
  let original: Buffer | undefined;
  if (existing !== undefined) {
    file = existing;
    original = readFileSync(existing);
    let docs: unknown[];
    try {
      docs = parseDocuments(original.toString('utf8'), displayPath(root, existing));
    } catch (e) {
      if (!isSyncgateError(e)) throw e;
      throw fail(e.message);
    }
    const doc = docs[0] ?? {};
    if (!isMap(doc)) throw fail(`${displayPath(root, existing)}: not a mapping`);
    // Read through kustomize's Kustomization type: unknown fields are dropped, the type defaulted.
    k = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
    for (const [key, v] of Object.entries(doc)) if (KNOWN_FIELDS.has(key)) k[key] = v;
    if (stringField(k, 'resources', displayPath(root, existing)).length === 0) k['buildMetadata'] = ['originAnnotations'];
  } else {
    file = join(dir, 'kustomization.yaml');
    k = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
    const resources = scanManifests(root, dir);
    if (resources.length === 0) k['namespace'] = '_placeholder';
    else k['resources'] = resources;
  }
  applySpec(k, ks, dir, displayPath(root, file));
  // JSON is YAML: no YAML 1.1 scalar can change type on the way to kustomize.
  writeFileSync(file, `${JSON.stringify(k, null, 2)}\n`);
  return {
    file,
    kustomization: k,
    created: original === undefined,
    restore: () => {
      if (original === undefined) unlinkSync(file);
      else writeFileSync(file, original);
    },
  };
}
