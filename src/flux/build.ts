import { cpSync, realpathSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { GateConfig } from '../config/index.js';
import { SyncgateError, isSyncgateError } from '../errors/index.js';
import { createWorkDir, gate, removeWorkDir, type AppContext, type GateResult } from '../gate/index.js';
import { identity, identityKey, type K8sObject, type Resource } from '../k8s/index.js';
import { Redactor, type Logger } from '../log/index.js';
import { realPathInside, resolveInsideRepo } from '../repo/index.js';
import { decryptResources, looksEncrypted } from '../sops/index.js';
import { generateKustomization } from './generate.js';
import type { FluxKustomization } from './kustomization.js';
import { substituteResources } from './substitute.js';
import { loadVariables, type SecretDecryptor, type VariableSource } from './variables.js';

/** Everything `syncgate flux build` needs; the Kustomization is the trusted tenant identity. */
export interface FluxBuildRequest {
  kustomization: FluxKustomization;
  /** Source root: spec.path is relative to it and no path may leave it. */
  repoRoot: string;
  /** Directory to build, inside repoRoot (default: spec.path resolved against repoRoot). */
  appDir?: string;
  /**
   * A private copy of repoRoot to generate and build in (the tree build shares one; each build
   * puts back what it changed). Made and removed per build when absent.
   */
  sourceCopy?: string;
  /** ConfigMaps/Secrets standing in for the cluster's objects (`--substitute-from`). */
  sources: readonly VariableSource[];
  config: GateConfig;
  logger: Logger;
  /** Strict substitution (Flux's StrictPostBuildSubstitutions, on by default since v1.9). */
  strict?: boolean;
  /** Decrypts a SOPS-encrypted `substituteFrom` Secret with the tenant's key. */
  decryptSecret?: SecretDecryptor;
  deadline?: number;
  now?: Date;
  redactor?: Redactor;
}

/** The verdict plus what Flux should sync: the build with SOPS objects still encrypted. */
export interface FluxBuildResult {
  gate: GateResult;
  /** Objects to write with `--output` (encrypted where the repo had them encrypted); empty when refused or unsafe. */
  output: K8sObject[];
  /** What `output` would hold were the build allowed (for `flux diff`); empty when unsafe. Never written. */
  candidate: K8sObject[];
  /** Why the build cannot be written without plaintext (FLUX_OUTPUT_UNSAFE); the verdict still stands. */
  outputError?: SyncgateError;
  /** The kustomization file kustomize-controller would build, as generated (repo-relative name and content). */
  kustomization: { file: string; content: Record<string, unknown> };
}

/** The trusted context of a Flux tenant: keys and exceptions match on `<namespace>/<name>`. */
export function fluxContext(ks: FluxKustomization): AppContext {
  return {
    appName: ks.name,
    namespace: ks.targetNamespace ?? ks.namespace,
    project: '',
    repoURL: '',
    sourcePath: ks.path,
    revision: '',
    kubeVersion: '',
    apiVersions: [],
    fluxKustomization: `${ks.namespace}/${ks.name}`,
  };
}

/** Per-object opt-out of decryption (kustomize-controller `DecryptionDisabledValue`). */
const DECRYPT_KEY = 'kustomize.toolkit.fluxcd.io/decrypt';

/** True when a Secret data value is a whole SOPS document (the one SOPS-detection call of the Flux door). */
function sopsDocument(v: unknown): boolean {
  return typeof v === 'string' && looksEncrypted(Buffer.from(v, 'base64').toString('utf8'));
}

/**
 * True when a Secret was generated from SOPS-encrypted files only: every data value of its twin
 * in the encrypted build is a SOPS document, and decryption changed them. A Secret mixing in a
 * plaintext value (or merely quoting a SOPS marker) stays a plaintext Secret for the policies.
 */
function generatedFromSops(encryptedTwin: K8sObject, decryptedObj: K8sObject): boolean {
  if (encryptedTwin.kind !== 'Secret' || encryptedTwin['stringData'] !== undefined) return false;
  const data = encryptedTwin['data'];
  if (typeof data !== 'object' || data === null) return false;
  const values = Object.values(data as Record<string, unknown>);
  return values.length > 0 && values.every(sopsDocument) && !isDeepStrictEqual(data, decryptedObj['data']);
}

/** True when an object is still SOPS-encrypted: top-level `sops`, or Secret data holding a SOPS file. */
export function isEncrypted(obj: K8sObject): boolean {
  const sops = obj['sops'];
  if (typeof sops === 'object' && sops !== null) return true;
  if (obj.kind !== 'Secret') return false;
  const data = obj['data'];
  if (typeof data !== 'object' || data === null) return false;
  return Object.values(data as Record<string, unknown>).some(sopsDocument);
}

/** The owner labels kustomize-controller's apply sets on every object (ssa ResourceManager.SetOwnerLabels). */
export const OWNER_NAME_LABEL = 'kustomize.toolkit.fluxcd.io/name';
export const OWNER_NAMESPACE_LABEL = 'kustomize.toolkit.fluxcd.io/namespace';

function flaggedPath(path: string, resolved: string, repoRoot: string, why: string): SyncgateError {
  return new SyncgateError(
    'FLUX_PATH_INVALID',
    `spec.path ${path}: ${resolved} ${why} (spec.path is relative to the source root ${repoRoot}; set it with --repo-root)`,
    { details: { path, resolved } },
  );
}

/**
 * Resolves spec.path against the source root as kustomize-controller does (SecureJoin: a leading
 * `/` is the root itself) and returns its real path; FLUX_PATH_INVALID names the resolved path.
 */
export function resolveSpecPath(repoRoot: string, path: string): string {
  const root = realRoot(repoRoot);
  const rel = path.replace(/^\/+/, '') || '.';
  const resolved = resolve(root, rel);
  let real: string;
  try {
    real = resolveInsideRepo(root, root, rel, `spec.path ${path}`);
  } catch (e) {
    if (isSyncgateError(e, 'RENDER_PATH_NOT_FOUND')) throw flaggedPath(path, resolved, root, 'is not a directory');
    if (isSyncgateError(e, 'RENDER_PATH_OUTSIDE_REPO')) throw flaggedPath(path, resolved, root, 'is outside the source root');
    throw e;
  }
  if (!statSync(real).isDirectory()) throw flaggedPath(path, resolved, root, 'is not a directory');
  return real;
}

function realRoot(repoRoot: string): string {
  try {
    const real = realpathSync.native(repoRoot);
    if (statSync(real).isDirectory()) return real;
  } catch {
    // reported below
  }
  throw new SyncgateError('FLUX_PATH_INVALID', `source root ${resolve(repoRoot)}: not a directory`);
}

/**
 * Copies the source root into `target` (symlinks kept as they are, `.git` left out), as
 * kustomize-controller extracts the artifact into a temporary directory it may write in.
 */
export function copySource(repoRoot: string, target: string): string {
  cpSync(realRoot(repoRoot), target, { recursive: true, verbatimSymlinks: true, filter: (src) => basename(src) !== '.git' });
  return target;
}

// Flux builds with its plugin config disabled: no helmCharts inflation whatever the platform allows.
const fluxConfigs = new WeakMap<GateConfig, GateConfig>();
function fluxConfig(config: GateConfig): GateConfig {
  let c = fluxConfigs.get(config);
  if (c === undefined) {
    const render = config.spec.render;
    c = { ...config, spec: { ...config.spec, render: { ...render, kustomize: { ...render.kustomize, enableHelm: false } } } };
    fluxConfigs.set(config, c);
  }
  return c;
}

/** commonMetadata, then the owner labels: what kustomize-controller's apply adds to every object. */
function applyMetadata(obj: K8sObject, ks: FluxKustomization): K8sObject {
  const labels = { ...obj.metadata.labels, ...ks.commonMetadata?.labels, [OWNER_NAME_LABEL]: ks.name, [OWNER_NAMESPACE_LABEL]: ks.namespace };
  const extra = ks.commonMetadata?.annotations ?? {};
  const annotations = Object.keys(extra).length > 0 ? { ...obj.metadata.annotations, ...extra } : obj.metadata.annotations;
  return { ...obj, metadata: { ...obj.metadata, labels, ...(annotations ? { annotations } : {}) } };
}

/**
 * kustomize-controller's build, then the gate: generate the kustomization (spec fields merged
 * in) in a private copy of the source → (SOPS inputs) → kustomize build (LoadRestrictionsNone,
 * confined to the source root) → per object decrypt, then postBuild substitution →
 * commonMetadata and owner labels → scan → decide. Returns the verdict and the objects Flux
 * should sync, with every SOPS object still encrypted. Throws a SyncgateError when no verdict
 * can be reached.
 */
export async function fluxBuild(req: FluxBuildRequest): Promise<FluxBuildResult> {
  const ks = req.kustomization;
  const repoRoot = realRoot(req.repoRoot);
  let appDir: string;
  if (req.appDir === undefined) appDir = resolveSpecPath(repoRoot, ks.path);
  else {
    const real = realPathIn(repoRoot, req.appDir);
    if (real === undefined) throw flaggedPath(ks.path, resolve(req.appDir), repoRoot, 'is not a directory inside the source root');
    appDir = real;
  }
  const own = req.sourceCopy === undefined ? createWorkDir('syncgate-flux-') : undefined;
  try {
    const copy = req.sourceCopy ?? copySource(repoRoot, join(own!, 'source'));
    const dir = join(copy, relative(repoRoot, appDir));
    const generated = generateKustomization(copy, dir, ks);
    try {
      const result = await gated(req, copy, dir);
      return { ...result, kustomization: { file: relative(copy, generated.file), content: generated.kustomization } };
    } finally {
      generated.restore();
    }
  } finally {
    if (own !== undefined) await removeWorkDir(own);
  }
}

function realPathIn(root: string, p: string): string | undefined {
  const real = realPathInside(root, p);
  return real !== undefined && statSync(real).isDirectory() ? real : undefined;
}

async function gated(req: FluxBuildRequest, repoRoot: string, appDir: string): Promise<Omit<FluxBuildResult, 'kustomization'>> {
  const ks = req.kustomization;
  const context = fluxContext(ks);
  const redactor = req.redactor ?? new Redactor();
  const deadline = req.deadline ?? Date.now() + req.config.spec.limits.renderTimeout;
  const config = fluxConfig(req.config);
  const options = { type: 'kustomize' as const };

  const pb = ks.postBuild;
  // A SOPS-encrypted substituteFrom Secret is decrypted by the SOPS stage with the tenant's
  // grants, like any object of the build (its namespace, if set, must be granted too).
  const decryptSecret: SecretDecryptor =
    req.decryptSecret ??
    (async (object, file) => {
      const [r] = await decryptResources([{ object, source: resolve(file), doc: 0 }], {
        appDir, repoRoot, context, options, config, logger: req.logger, redactor, deadline,
      });
      return r!.object;
    });
  const vars = pb ? await loadVariables(pb.substituteFrom, pb.substitute, req.sources, redactor, decryptSecret) : new Map<string, string>();
  // The build of the untouched source (SOPS inputs still encrypted): what Flux will fetch.
  let encrypted: Resource[] = [];
  let decrypted: Resource[] = [];

  const result = await gate({
    appDir,
    repoRoot,
    context,
    options,
    config,
    logger: req.logger,
    redactor,
    deadline,
    loadRestrictor: 'none',
    renderUntouched: true,
    ...(req.now ? { now: req.now } : {}),
    onRendered: (resources) => {
      encrypted = resources;
    },
    postDecrypt: (resources) => {
      const counterpart = counterparts(encrypted.map((e) => e.object));
      const placed = resources.map((r) => {
        const before = counterpart(r.object);
        const wasEncrypted = r.encryptedInRepo === true || (before !== undefined && isEncrypted(before));
        const optOut = before?.metadata.annotations?.[DECRYPT_KEY]?.toLowerCase() === 'disabled';
        if (wasEncrypted && before !== undefined && (!ks.decryption || optOut)) {
          // Flux leaves these encrypted (no spec.decryption, or the object opts out) and refuses
          // a Secret that still has `sops` unless it opted out: judge what Flux would apply.
          if (!optOut && before.kind === 'Secret') {
            throw new SyncgateError('FLUX_SECRET_ENCRYPTED', `${identity(before)}: is SOPS-encrypted but the Kustomization has no spec.decryption`);
          }
          const { decryptedBy: _d, ...rest } = r;
          return { ...rest, object: before };
        }
        // A Secret generated from SOPS-encrypted generator inputs is decrypted before the build,
        // so the SOPS stage does not mark it; its encrypted twin in the build shows where it came from.
        if (r.decryptedBy === undefined && before !== undefined && generatedFromSops(before, r.object)) {
          return { ...r, encryptedInRepo: true, decryptedBy: 'sops-generator-input' };
        }
        return r;
      });
      decrypted = placed;
      let out = placed;
      if (pb) {
        out = substituteResources(placed, vars, { strict: req.strict ?? true, strategy: pb.strategy });
        // Substitution changes decrypted values: mask their new form too.
        for (const [i, r] of out.entries()) if (r !== placed[i] && r.decryptedBy !== undefined) maskSecretValues(r.object, redactor);
      }
      return out.map((r) => ({ ...r, object: applyMetadata(r.object, ks) }));
    },
  });
  let candidate: K8sObject[];
  try {
    candidate = encryptedOutput(encrypted, decrypted);
  } catch (e) {
    if (isSyncgateError(e, 'FLUX_OUTPUT_UNSAFE')) return { gate: result, output: [], candidate: [], outputError: e };
    throw e;
  }
  return { gate: result, output: result.decision.refused ? [] : candidate, candidate };
}

function maskSecretValues(obj: K8sObject, redactor: Redactor): void {
  redactor.addSecretObject(obj); // whole-object masking would hide kinds and names in reports
}

// kustomize appends a content hash to generated names (`db-7c9k2m8h4f`): a Secret generated from
// encrypted inputs has another hash than the one generated from their plaintext.
const HASH_SUFFIX = /-[a-z0-9]{10}$/;

function looseKey(o: K8sObject): string {
  return identityKey({ ...o, metadata: { ...o.metadata, name: o.metadata.name.replace(HASH_SUFFIX, '') } });
}

function renameStrings(v: unknown, names: ReadonlyMap<string, string>): unknown {
  if (typeof v === 'string') return names.get(v) ?? v;
  if (Array.isArray(v)) return v.map((x) => renameStrings(x, names));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renameStrings(x, names)]));
  return v;
}

/** Finds an object's twin in the other build: same identity, or the same generated name without its hash. */
function counterparts(objects: readonly K8sObject[]): (o: K8sObject) => K8sObject | undefined {
  const byKey = new Map(objects.map((o) => [identityKey(o), o]));
  const byLoose = new Map<string, K8sObject[]>();
  for (const o of objects) byLoose.set(looseKey(o), [...(byLoose.get(looseKey(o)) ?? []), o]);
  return (o) => {
    const exact = byKey.get(identityKey(o));
    if (exact) return exact;
    const loose = byLoose.get(looseKey(o));
    return loose?.length === 1 ? loose[0] : undefined;
  };
}

/**
 * Pairs the encrypted build with the decrypted one (by identity, generated names matched without
 * their hash); any object that decryption changed must be emitted still SOPS-encrypted.
 */
function encryptedOutput(encrypted: readonly Resource[], decrypted: readonly Resource[]): K8sObject[] {
  const unsafe = (what: string): SyncgateError =>
    new SyncgateError('FLUX_OUTPUT_UNSAFE', `${what}; nothing was written (encrypt the Secret manifest itself, or use secretGenerator files: with SOPS-encrypted files)`);
  if (encrypted.length !== decrypted.length) {
    throw unsafe(`the encrypted build has ${encrypted.length} objects, the decrypted one ${decrypted.length}`);
  }
  const enc = encrypted.map((r) => r.object);
  const counterpart = counterparts(decrypted.map((r) => r.object));
  const pairs = enc.map((o) => {
    const twin = counterpart(o);
    if (!twin) throw unsafe(`${identity(o)}: has no counterpart in the decrypted build`);
    return twin;
  });
  const names = new Map<string, string>();
  for (const [i, o] of enc.entries()) {
    const d = pairs[i]!;
    if (d.metadata.name !== o.metadata.name) names.set(d.metadata.name, o.metadata.name);
  }
  return enc.map((o, i) => {
    const d = names.size ? renameStrings(pairs[i], names) : pairs[i];
    if (isDeepStrictEqual(o, d) || isEncrypted(o)) return o;
    throw unsafe(`${identity(o)}: decryption changed an object that is not SOPS-encrypted in the build; writing it would leak plaintext`);
  });
}
