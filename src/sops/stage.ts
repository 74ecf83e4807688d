import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { cp, mkdir, open, readdir, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';
import { SyncgateError, isSyncgateError } from '../errors/index.js';
import type { GateRequest } from '../request/index.js';
import { identity, type K8sObject, type Resource } from '../k8s/index.js';
import { Redactor } from '../log/index.js';
import { audit } from './audit.js';
import { decryptDocument, formatOf, looksEncrypted, parseSops, type DecryptedDocument, type KeyChoice } from './decrypt-file.js';
import { hasSopsMetadata } from './detect.js';
import { emitTree } from './emit.js';
import { isGranted, loadKeyStore, namespaceGranted } from './keystore.js';
import { branchFromObject, collectCiphertexts, mergeDecrypted, mergeFromFile, substituteVerified, type VerifiedValues } from './object-tree.js';
import { helmValuesStdin } from './helm-values.js';
import { materialOf } from './taint.js';
import type { MapNode, SopsDocument } from './tree.js';

/** The app source as the renderer should see it after secret inputs were prepared. */
export interface PreparedSource {
  appDir: string;
  repoRoot: string;
  /**
   * The decrypted Helm values files merged into one JSON document, for helm's stdin after the
   * app's own values files; plaintext Helm values are never written to disk.
   */
  helmValues?: Buffer;
  /** The app's Helm values files without the SOPS-encrypted ones (helm never reads ciphertext). */
  valueFiles: string[];
  /** Every file decrypted for the render, repo-relative, with the keys that opened it. */
  decrypted: { file: string; keys: string[] }[];
}

const MAX_SOPS_FILE = 64 * 1024 * 1024;

/** Plaintext of decrypted render inputs per request, to recognise the Secrets built from them. */
const inputPlaintexts = new WeakMap<GateRequest, { values: Set<string>; keys: Set<string> }>();

/** Ciphertexts of kustomize resource files whose MAC was verified before the build, per request. */
const verifiedCiphertexts = new WeakMap<GateRequest, VerifiedValues>();
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function redactorOf(req: GateRequest): Redactor {
  req.redactor ??= new Redactor();
  return req.redactor;
}

async function keyChoice(req: GateRequest): Promise<KeyChoice> {
  const store = await loadKeyStore(req.config);
  // Only the trusted AppContext chooses keys: never options, ARGOCD_ENV_* or repo content.
  const broken = store.failed.find((f) => isGranted(f, req.context));
  if (broken) throw broken.error;
  return { store, granted: store.keys.filter((k) => isGranted(k, req.context)), context: req.context };
}

/** Gives every decrypted value to the request's mask and to the material followed through the render. */
function remember(req: GateRequest, plaintexts: readonly string[], keyNames: readonly string[], secretData = false): void {
  const r = redactorOf(req);
  const material = materialOf(req);
  for (const p of plaintexts) {
    material.add(p, keyNames);
    // A decrypted Secret's `data` value is base64: its decoded text is the secret as well.
    if (secretData && /^[A-Za-z0-9+/]+={0,2}$/.test(p) && p.length % 4 === 0) {
      r.addEncoded(p);
      const text = Buffer.from(p, 'base64').toString('utf8');
      if (!text.includes('\uFFFD')) material.add(text, keyNames);
    } else r.add(p);
  }
}

function checkNamespace(req: GateRequest, choice: KeyChoice, what: string, keyNames: readonly string[], namespace: string): void {
  for (const name of keyNames) {
    const key = choice.store.keys.find((k) => k.name === name);
    if (!key || namespace === '' || !namespaceGranted(key, namespace)) {
      throw new SyncgateError(
        'SOPS_NAMESPACE_NOT_GRANTED',
        `${what}: decrypted with key ${name}, which is not granted namespace ${namespace === '' ? '(none)' : namespace}; granted: ${key?.grants.namespaces.join(', ') ?? 'none'}`,
        { details: { key: name, namespace } },
      );
    }
  }
}

async function decryptAudited(req: GateRequest, target: string, doc: SopsDocument, choice: KeyChoice): Promise<DecryptedDocument> {
  try {
    return await decryptDocument(target, doc, choice);
  } catch (e) {
    audit(req, target, [], isSyncgateError(e) ? e.code : 'internal');
    throw e;
  }
}

/**
 * The real path of a repo file the SOPS stage reads, refused when it leaves the root, is not a
 * regular file or is over the size limit. Synchronous: the repo is on the sidecar's memory-backed
 * /tmp (or a CI checkout), where a stat costs less than a thread-pool round trip.
 */
function insideRoot(root: string, file: string, what: string): string {
  const rootReal = realpathSync.native(root);
  let real: string;
  try {
    real = realpathSync.native(file);
  } catch {
    throw new SyncgateError('SOPS_PATH_INVALID', `${what}: file not found`);
  }
  if (real !== rootReal && !real.startsWith(rootReal + sep)) {
    throw new SyncgateError('SOPS_PATH_INVALID', `${what}: resolves outside the repository root`);
  }
  const st = statSync(real);
  if (!st.isFile()) throw new SyncgateError('SOPS_PATH_INVALID', `${what}: not a regular file`);
  if (st.size > MAX_SOPS_FILE) throw new SyncgateError('LIMIT_EXCEEDED', `${what}: ${st.size} bytes is over the ${MAX_SOPS_FILE}-byte SOPS file limit`);
  return real;
}

/** insideRoot, with `onError` deciding what a refusal becomes (a value to skip, or a throw). */
function insideRootOr<T>(root: string, file: string, what: string, onError: (e: unknown) => T): string | T {
  try {
    return insideRoot(root, file, what);
  } catch (e) {
    return onError(e);
  }
}

async function writePrivate(path: string, data: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await unlink(path).catch(() => undefined);
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(data);
  } finally {
    await fh.close();
  }
}

/** Reads, parses and (when it carries sops metadata) decrypts one repo file; undefined when not encrypted. */
async function decryptRepoFile(
  req: GateRequest,
  choice: () => Promise<KeyChoice>,
  real: string,
  rel: string,
): Promise<DecryptedDocument | undefined> {
  const text = readFileSync(real, 'utf8');
  if (!looksEncrypted(text)) return undefined;
  const format = formatOf(real);
  let doc: SopsDocument;
  try {
    doc = parseSops(rel, text, format);
  } catch (e) {
    // A YAML values file that is not sops at all is the renderer's business, not ours.
    if (isSyncgateError(e, 'SOPS_FORMAT_INVALID')) return undefined;
    throw e;
  }
  if (doc.metadata === undefined || doc.metadata === null) return undefined;
  const c = await choice();
  const d = await decryptAudited(req, rel, doc, c);
  checkNamespace(req, c, rel, d.keyNames, req.context.namespace);
  remember(req, d.plaintexts, d.keyNames);
  const seen = inputPlaintexts.get(req) ?? { values: new Set<string>(), keys: new Set<string>() };
  for (const p of d.plaintexts) if (p.length >= Redactor.MIN_LENGTH) seen.values.add(p);
  for (const k of d.keyNames) seen.keys.add(k);
  inputPlaintexts.set(req, seen);
  audit(req, rel, d.keyNames, 'ok');
  return d;
}

function relPath(root: string, p: string): string {
  return relative(root, p).split(sep).join('/');
}

function generatorFiles(k: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const field of ['secretGenerator', 'configMapGenerator']) {
    const gens = k[field];
    if (!Array.isArray(gens)) continue;
    for (const g of gens) {
      if (!isRecord(g)) continue;
      for (const f of Array.isArray(g['files']) ? g['files'] : []) {
        if (typeof f !== 'string') continue;
        const i = f.indexOf('=');
        out.push(i >= 0 ? f.slice(i + 1) : f);
      }
      for (const f of Array.isArray(g['envs']) ? g['envs'] : []) if (typeof f === 'string') out.push(f);
      if (typeof g['env'] === 'string') out.push(g['env']);
    }
  }
  return out;
}

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

/** A file's text, or undefined when there is no such file (no error object on the common miss). */
function readIfFile(path: string): string | undefined {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ? readFileSync(path, 'utf8') : undefined;
}

/** Generator inputs and resource files of every kustomization reachable from `dir` (local bases only). */
function kustomizeInputs(dir: string, repoRoot: string, seen = new Set<string>(), resourceFiles: string[] = []): string[] {
  if (seen.has(dir) || seen.size > 500) return [];
  seen.add(dir);
  let k: unknown;
  for (const name of KUSTOMIZATION_FILES) {
    const text = readIfFile(join(dir, name));
    if (text === undefined) continue;
    try {
      k = parseYaml(text);
    } catch {
      return []; // kustomize reports the broken file itself
    }
    break;
  }
  if (!isRecord(k)) return [];
  const files = generatorFiles(k).filter((f) => !f.includes('://')).map((f) => resolve(dir, f));
  for (const field of ['resources', 'bases', 'components']) {
    const entries = k[field];
    if (!Array.isArray(entries)) continue;
    for (const e of entries) {
      if (typeof e !== 'string' || e.includes('://') || isAbsolute(e)) continue;
      const sub = resolve(dir, e);
      if (sub !== repoRoot && !sub.startsWith(repoRoot + sep)) continue;
      const st = statSync(sub, { throwIfNoEntry: false });
      if (st?.isDirectory()) files.push(...kustomizeInputs(sub, repoRoot, seen, resourceFiles));
      else if (st?.isFile() && field === 'resources' && /\.(ya?ml|json)$/i.test(sub)) resourceFiles.push(sub);
    }
  }
  return files;
}

/**
 * Decrypts SOPS-encrypted render inputs before the render tools run: Helm values files (named or
 * matching `spec.sops.valuesFilePatterns`) into the request's memory-backed work dir (0600), and
 * kustomize generator inputs in a private copy of the repo. Plaintext goes to the redactor.
 */
export async function prepareSecrets(req: GateRequest, workDir: string): Promise<PreparedSource> {
  const valueFiles = [...(req.options.valueFiles ?? [])];
  const prepared: PreparedSource = { appDir: req.appDir, repoRoot: req.repoRoot, valueFiles, decrypted: [] };
  let choiceP: Promise<KeyChoice> | undefined;
  const choice = (): Promise<KeyChoice> => (choiceP ??= keyChoice(req));
  const repoRoot = resolve(req.repoRoot);
  const appDir = resolve(req.appDir);

  // Helm values files.
  const isChart = req.options.type === 'helm' || existsSync(join(appDir, 'Chart.yaml'));
  if (isChart) {
    const named = valueFiles.filter((f) => !f.includes('://'));
    const isPattern = valuesFileMatcher(req.config.spec.sops.valuesFilePatterns);
    const listed = (await readdir(appDir, { withFileTypes: true }))
      .filter((e) => e.isFile() && isPattern(e.name))
      .map((e) => e.name)
      .sort();
    const candidates = [...named, ...listed.filter((f) => !named.some((n) => resolve(appDir, n) === resolve(appDir, f)))];
    const decryptedValues: MapNode[][] = [];
    for (const f of candidates) {
      const rel = relPath(repoRoot, resolve(appDir, f));
      const real = insideRootOr(repoRoot, resolve(appDir, f), rel, (e: unknown) => {
        // A missing values file is the renderer's error to report; an escaping one is ours.
        if (isSyncgateError(e, 'SOPS_PATH_INVALID') && e.message.endsWith('file not found')) return undefined;
        throw e;
      });
      if (!real) continue;
      const res = await decryptRepoFile(req, choice, real, rel);
      if (!res) continue;
      if (res.format !== 'yaml' && res.format !== 'json') {
        throw new SyncgateError('SOPS_FORMAT_INVALID', `${rel}: a Helm values file must be YAML or JSON, not ${res.format}`);
      }
      decryptedValues.push(res.branches);
      prepared.decrypted.push({ file: rel, keys: res.keyNames });
      const i = valueFiles.indexOf(f);
      if (i >= 0) valueFiles.splice(i, 1);
    }
    // Never written to disk: helm reads them merged from its stdin (`--values=-`).
    if (decryptedValues.length > 0) prepared.helmValues = helmValuesStdin(decryptedValues);
  }

  if (prepared.helmValues !== undefined) {
    // gate() hands `req.options` to the renderer after this stage: dropping the encrypted files
    // here means helm never reads ciphertext (req is gate's own copy, not the door's object).
    req.options = { ...req.options, valueFiles };
  }

  // Kustomize generator inputs: decrypted inside a private copy of the repo.
  const resourceFiles: string[] = [];
  const inputs = [...new Set(kustomizeInputs(appDir, repoRoot, new Set(), resourceFiles))];
  await verifyResourceFiles(req, choice, repoRoot, [...new Set(resourceFiles)]);
  const decryptedInputs: { rel: string; out: Buffer }[] = [];
  for (const f of inputs) {
    const rel = relPath(repoRoot, f);
    const real = insideRootOr(repoRoot, f, rel, (e: unknown) => {
      // A missing generator file is kustomize's error to report; an escaping one is ours.
      if (isSyncgateError(e, 'SOPS_PATH_INVALID') && e.message.endsWith('file not found')) return undefined;
      throw e;
    });
    if (!real) continue;
    const res = await decryptRepoFile(req, choice, real, rel);
    if (!res) continue;
    decryptedInputs.push({ rel, out: emitTree(res.format, res.branches) });
    prepared.decrypted.push({ file: rel, keys: res.keyNames });
  }
  if (decryptedInputs.length > 0) {
    const copy = join(workDir, 'sops-repo');
    await cp(repoRoot, copy, { recursive: true, verbatimSymlinks: true, filter: (src) => basename(src) !== '.git' });
    for (const d of decryptedInputs) await writePrivate(join(copy, d.rel), d.out);
    prepared.repoRoot = copy;
    prepared.appDir = join(copy, relative(repoRoot, appDir));
  }
  return prepared;
}

function secretValues(o: K8sObject): string[] {
  const out: string[] = [];
  const sd = o['stringData'];
  if (isRecord(sd)) for (const v of Object.values(sd)) if (typeof v === 'string') out.push(v);
  for (const field of ['data', 'binaryData']) {
    const d = o[field];
    if (isRecord(d)) for (const v of Object.values(d)) if (typeof v === 'string') out.push(Buffer.from(v, 'base64').toString('utf8'));
  }
  return out;
}

/**
 * Secrets rendered from decrypted values files or generator inputs carry no sops marker; one that
 * holds a decrypted value is marked as decrypted (so policies know it was encrypted in the repo)
 * and must land in a namespace the keys grant.
 */
async function markFromInputs(resources: Resource[], req: GateRequest, inputs: { values: Set<string>; keys: Set<string> }): Promise<Resource[]> {
  let choice: KeyChoice | undefined;
  const out: Resource[] = [];
  const plaintexts = [...inputs.values];
  for (const r of resources) {
    const o = r.object;
    if (o.kind !== 'Secret' || hasSops(o) || !secretValues(o).some((v) => plaintexts.some((p) => v.includes(p)))) {
      out.push(r);
      continue;
    }
    choice ??= await keyChoice(req);
    checkNamespace(req, choice, identity(o), [...inputs.keys], o.metadata.namespace ?? req.context.namespace);
    out.push({ ...r, decryptedBy: [...inputs.keys].join('+'), encryptedInRepo: true });
  }
  return out;
}

/**
 * kustomize re-orders fields and adds some (namespace, labels), so the MAC of a SOPS resource no
 * longer matches its rendered form. Its file is verified (MAC) and decrypted before the build
 * instead; after it, an object's ciphertexts are accepted only when each is a ciphertext of a
 * verified file at the same key path (the path is also the value's AAD).
 */
async function verifyResourceFiles(req: GateRequest, choice: () => Promise<KeyChoice>, repoRoot: string, files: string[]): Promise<void> {
  const verified: VerifiedValues = new Map();
  for (const f of files) {
    const rel = relPath(repoRoot, f);
    const real = insideRootOr(repoRoot, f, rel, () => undefined);
    if (!real) continue;
    const text = readFileSync(real, 'utf8');
    if (!looksEncrypted(text)) continue;
    let doc: SopsDocument;
    try {
      doc = parseSops(rel, text, formatOf(real));
    } catch {
      continue; // kustomize reports a broken resource itself
    }
    if (doc.metadata === undefined || doc.metadata === null) continue;
    const c = await choice();
    const d = await decryptAudited(req, rel, doc, c);
    remember(req, d.plaintexts, d.keyNames);
    audit(req, rel, d.keyNames, 'ok');
    doc.branches.forEach((b, i) => {
      const db = d.branches[i];
      if (db) collectCiphertexts(b, db, [], d.keyNames, verified);
    });
  }
  if (verified.size > 0) verifiedCiphertexts.set(req, verified);
}

function withoutSops(o: K8sObject): Omit<K8sObject, 'sops'> {
  const { sops: _sops, ...rest } = o;
  return rest;
}

function hasSops(o: K8sObject): boolean {
  return hasSopsMetadata(o);
}

/** The repo file a resource was read from, when it is still exactly that file's document. */
/**
 * The repo file a resource names, read synchronously: the source is a small local file on the
 * request's own tree, and a promise round-trip per object costs more than the read (hundreds of
 * SOPS objects per render).
 */
function fileBacked(rootReal: string | undefined, req: GateRequest, r: Resource): { path: string; text: string } | undefined {
  if (rootReal === undefined || isAbsolute(r.source) || r.source.includes('://')) return undefined;
  try {
    const real = realpathSync.native(resolve(req.appDir, r.source));
    if (real !== rootReal && !real.startsWith(rootReal + sep)) return undefined;
    const st = statSync(real);
    if (!st.isFile() || st.size > MAX_SOPS_FILE) return undefined;
    return { path: real, text: readFileSync(real, 'utf8') };
  } catch {
    return undefined;
  }
}

/**
 * Decrypts every rendered object that carries a top-level `sops` block (any kind, as Flux does)
 * with a key granted to the app; the object must land in a namespace the key grants. Objects from
 * a repo file are verified against the whole file (the MAC spans every document).
 */
export async function decryptResources(resources: Resource[], req: GateRequest): Promise<Resource[]> {
  const inputs = inputPlaintexts.get(req);
  if (inputs) resources = await markFromInputs(resources, req, inputs);
  if (!resources.some((r) => hasSops(r.object))) return resources;
  const choice = await keyChoice(req);
  const files = new Map<string, Promise<{ doc: SopsDocument; dec: DecryptedDocument; branchOf: number[] } | undefined>>();
  let rootReal: string | undefined;
  const out: Resource[] = [];
  for (const r of resources) {
    if (!hasSops(r.object)) {
      out.push(r);
      continue;
    }
    const what = `${identity(r.object)} (${r.source})`;
    let decObj: unknown;
    let keyNames: string[];
    let plaintexts: string[];
    let fromVerified: { object: unknown; keys: string[]; plaintexts: string[] } | undefined;
    let fromFile = files.get(r.source);
    if (!fromFile) {
      fromFile = (async () => {
        if (rootReal === undefined) {
          try {
            rootReal = realpathSync.native(req.repoRoot);
          } catch {
            rootReal = undefined;
          }
        }
        const f = fileBacked(rootReal, req, r);
        const format = f ? formatOf(f.path) : undefined;
        if (!f || (format !== 'yaml' && format !== 'json') || !looksEncrypted(f.text)) return undefined;
        let doc: SopsDocument;
        try {
          doc = parseSops(r.source, f.text, format);
        } catch {
          return undefined; // not the file this object came from (a template, say)
        }
        if (doc.metadata === undefined || doc.metadata === null) return undefined;
        const branchOf = (doc.present ?? doc.branches.map(() => true)).flatMap((p, i) => (p ? [i] : []));
        const dec = await decryptAudited(req, r.source, doc, choice);
        return { doc, dec, branchOf };
      })();
      files.set(r.source, fromFile);
    }
    const file = await fromFile;
    const bi = file?.branchOf[r.doc];
    const fromRepo =
      file && bi !== undefined && file.dec.branches[bi] && file.doc.branches[bi]
        ? mergeFromFile(withoutSops(r.object), file.dec.branches[bi], file.doc.branches[bi])
        : undefined;
    if (file && fromRepo !== undefined) {
      decObj = fromRepo;
      keyNames = file.dec.keyNames;
      plaintexts = file.dec.plaintexts;
    } else if ((fromVerified = substituteVerified(r.object, verifiedCiphertexts.get(req)))) {
      decObj = fromVerified.object;
      keyNames = fromVerified.keys;
      plaintexts = fromVerified.plaintexts;
    } else {
      const doc: SopsDocument = { format: 'json', branches: [branchFromObject(r.object)], metadata: r.object['sops'] };
      const dec = await decryptAudited(req, what, doc, choice);
      decObj = mergeDecrypted(r.object, dec.branches[0]!);
      keyNames = dec.keyNames;
      plaintexts = dec.plaintexts;
    }
    const { sops: _sops, ...clean } = decObj as K8sObject;
    const obj = clean;
    try {
      checkNamespace(req, choice, identity(obj), keyNames, obj.metadata.namespace ?? req.context.namespace);
    } catch (e) {
      audit(req, what, keyNames, 'SOPS_NAMESPACE_NOT_GRANTED');
      throw e;
    }
    remember(req, plaintexts, keyNames, obj.kind === 'Secret');
    audit(req, what, keyNames, 'ok');
    out.push({ ...r, object: obj, decryptedBy: keyNames.join('+'), encryptedInRepo: true });
  }
  return out;
}
