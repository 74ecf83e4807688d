import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { GateConfig } from '../config/index.js';
import { SyncgateError } from '../errors/index.js';
import { createWorkDir, gate, removeWorkDir, type AppContext, type GateResult } from '../gate/index.js';
import { identity, identityKey, isClusterScoped, type K8sObject, type Resource } from '../k8s/index.js';
import { Redactor, type Logger } from '../log/index.js';
import { render } from '../render/index.js';
import { decryptResources } from '../sops/index.js';
import type { FluxKustomization } from './kustomization.js';
import { substituteResources } from './substitute.js';
import { loadVariables, type SecretDecryptor, type VariableSource } from './variables.js';

/** Everything `syncgate flux build` needs; the Kustomization is the trusted tenant identity. */
export interface FluxBuildRequest {
  kustomization: FluxKustomization;
  /** Directory the Kustomization's path resolved to. */
  appDir: string;
  /** Source root: no path may leave it. */
  repoRoot: string;
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
  /** Objects to write with `--output` (encrypted where the repo had them encrypted). */
  output: K8sObject[];
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

// spec.targetNamespace moves every namespaced object (kustomize's namespace transformer). A
// cluster-scoped one keeps no namespace: the API server drops it, so policies must not see one.
function withTargetNamespace(obj: K8sObject, ns: string | undefined): K8sObject {
  if (ns === undefined || isClusterScoped(obj.kind) || obj.metadata.namespace === ns) return obj;
  return { ...obj, metadata: { ...obj.metadata, namespace: ns } };
}

/** Per-object opt-out of decryption (kustomize-controller `DecryptionDisabledValue`). */
const DECRYPT_KEY = 'kustomize.toolkit.fluxcd.io/decrypt';

const SOPS_MARKERS = ['sops_mac=', '"sops":', 'sops:\n', '"mac": "ENC['];

function sopsDocument(v: unknown): boolean {
  return typeof v === 'string' && SOPS_MARKERS.some((m) => Buffer.from(v, 'base64').toString('utf8').includes(m));
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

/**
 * kustomize-controller's build, then the gate: (SOPS inputs) → kustomize build → per object
 * decrypt, then postBuild substitution → scan → decide. Returns the verdict and the objects
 * Flux should sync, with every SOPS object still encrypted. Throws a SyncgateError when no
 * verdict can be reached or the output would need plaintext.
 */
export async function fluxBuild(req: FluxBuildRequest): Promise<FluxBuildResult> {
  const ks = req.kustomization;
  const context = fluxContext(ks);
  const redactor = req.redactor ?? new Redactor();
  const deadline = req.deadline ?? Date.now() + req.config.spec.limits.renderTimeout;
  const options = { recurse: true };

  // The encrypted build (what Flux will fetch) is the render of the untouched source: gate()'s own
  // render when no SOPS-encrypted generator input had to be decrypted for it, else a second render.
  let rendered: { resources: Resource[]; fromDecryptedInputs: boolean } | undefined;
  let encrypted: Resource[] = [];
  const encryptedBuild = async (): Promise<Resource[]> => {
    if (rendered === undefined) throw new Error('flux build: gate() did not hand over its render');
    if (!rendered.fromDecryptedInputs) return rendered.resources;
    const workDir = createWorkDir('syncgate-flux-');
    try {
      return await render({
        appDir: req.appDir, repoRoot: req.repoRoot, context, options, config: req.config, workDir, deadline, redactor,
        logger: req.logger, extraValueFiles: [],
      });
    } finally {
      await removeWorkDir(workDir);
    }
  };

  const pb = ks.postBuild;
  // A SOPS-encrypted substituteFrom Secret is decrypted by the SOPS stage with the tenant's
  // grants, like any object of the build (its namespace, if set, must be granted too).
  const decryptSecret: SecretDecryptor =
    req.decryptSecret ??
    (async (object, file) => {
      const [r] = await decryptResources([{ object, source: resolve(file), doc: 0 }], {
        appDir: req.appDir, repoRoot: req.repoRoot, context, options, config: req.config, logger: req.logger, redactor, deadline,
      });
      return r!.object;
    });
  const vars = pb ? await loadVariables(pb.substituteFrom, pb.substitute, req.sources, redactor, decryptSecret) : new Map<string, string>();
  let decrypted: Resource[] = [];

  const result = await gate({
    appDir: req.appDir,
    repoRoot: req.repoRoot,
    context,
    options,
    config: req.config,
    logger: req.logger,
    redactor,
    deadline,
    ...(req.now ? { now: req.now } : {}),
    onRendered: (resources, info) => {
      rendered = { resources, ...info };
    },
    postDecrypt: async (resources) => {
      encrypted = await encryptedBuild();
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
          return { ...rest, object: withTargetNamespace(before, ks.targetNamespace) };
        }
        const object = withTargetNamespace(r.object, ks.targetNamespace);
        // A Secret generated from SOPS-encrypted generator inputs is decrypted before the build,
        // so the SOPS stage does not mark it; its encrypted twin in the build shows where it came from.
        if (r.decryptedBy === undefined && before !== undefined && generatedFromSops(before, r.object)) {
          return { ...r, object, encryptedInRepo: true, decryptedBy: 'sops-generator-input' };
        }
        return { ...r, object };
      });
      decrypted = placed;
      if (!pb) return placed;
      const out = substituteResources(placed, vars, { strict: req.strict ?? true, strategy: pb.strategy });
      // Substitution changes decrypted values: mask their new form too.
      for (const [i, r] of out.entries()) if (r !== placed[i] && r.decryptedBy !== undefined) maskSecretValues(r.object, redactor);
      return out;
    },
  });
  if (result.decision.refused) return { gate: result, output: [] };
  return { gate: result, output: encryptedOutput(encrypted, decrypted, ks.targetNamespace) };
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
function encryptedOutput(encrypted: readonly Resource[], decrypted: readonly Resource[], targetNamespace: string | undefined): K8sObject[] {
  const unsafe = (what: string): SyncgateError =>
    new SyncgateError('FLUX_OUTPUT_UNSAFE', `${what}; nothing was written (encrypt the Secret manifest itself, or use secretGenerator files: with SOPS-encrypted files)`);
  if (encrypted.length !== decrypted.length) {
    throw unsafe(`the encrypted build has ${encrypted.length} objects, the decrypted one ${decrypted.length}`);
  }
  const enc = encrypted.map((r) => withTargetNamespace(r.object, targetNamespace));
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
