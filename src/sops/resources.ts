import { resolve } from 'node:path';
import type { GateRequest } from '../request/index.js';
import { identity, isMap, type K8sObject, type Resource } from '../k8s/index.js';
import { readRepoFile, realPathInside, realPathOrUndefined } from '../repo/index.js';
import { audit } from './audit.js';
import { formatOf, looksEncrypted, parseSops, type DecryptedDocument, type KeyChoice } from './decrypt-file.js';
import { hasSopsMetadata } from './detect.js';
import { branchFromObject, mergeDecrypted, mergeFromFile, substituteVerified } from './object-tree.js';
import { noDecryptionState, type DecryptionState, type InputPlaintexts } from './prepared.js';
import { MAX_SOPS_FILE } from './repo-file.js';
import { checkNamespace, decryptAudited, keyChoice, remember } from './request-keys.js';
import type { SopsDocument } from './tree.js';

function secretValues(o: K8sObject): string[] {
  const out: string[] = [];
  const sd = o['stringData'];
  if (isMap(sd)) for (const v of Object.values(sd)) if (typeof v === 'string') out.push(v);
  for (const field of ['data', 'binaryData']) {
    const d = o[field];
    if (isMap(d)) for (const v of Object.values(d)) if (typeof v === 'string') out.push(Buffer.from(v, 'base64').toString('utf8'));
  }
  return out;
}

/**
 * Secrets rendered from decrypted values files or generator inputs carry no sops marker; one that
 * holds a decrypted value is marked as decrypted (so policies know it was encrypted in the repo)
 * and must land in a namespace the keys grant.
 */
async function markFromInputs(resources: Resource[], req: GateRequest, inputs: InputPlaintexts): Promise<Resource[]> {
  let choice: KeyChoice | undefined;
  const out: Resource[] = [];
  const plaintexts = [...inputs.values];
  for (const r of resources) {
    const o = r.object;
    if (o.kind !== 'Secret' || hasSopsMetadata(o) || !secretValues(o).some((v) => plaintexts.some((p) => v.includes(p)))) {
      out.push(r);
      continue;
    }
    choice ??= await keyChoice(req);
    checkNamespace(choice, identity(o), [...inputs.keys], o.metadata.namespace ?? req.context.namespace);
    out.push({ ...r, decryptedBy: [...inputs.keys].join('+'), encryptedInRepo: true });
  }
  return out;
}

function withoutSops(o: K8sObject): Omit<K8sObject, 'sops'> {
  const { sops: _sops, ...rest } = o;
  return rest;
}

/**
 * The repo file a resource names, read synchronously: the source is a small local file on the
 * request's own tree, and a promise round-trip per object costs more than the read (hundreds of
 * SOPS objects per render).
 */
function fileBacked(rootReal: string | undefined, req: GateRequest, r: Resource): { path: string; text: string } | undefined {
  if (rootReal === undefined) return undefined;
  const real = realPathInside(rootReal, resolve(req.appDir, r.source));
  if (real === undefined) return undefined;
  try {
    const text = readRepoFile(real, r.source, MAX_SOPS_FILE);
    return text === undefined ? undefined : { path: real, text };
  } catch {
    return undefined; // over the size limit: decrypted per object instead
  }
}

/**
 * Decrypts every rendered object that carries a top-level `sops` block (any kind, as Flux does)
 * with a key granted to the app; the object must land in a namespace the key grants. Objects from
 * a repo file are verified against the whole file (the MAC spans every document).
 */
export async function decryptResources(resources: Resource[], req: GateRequest, state: DecryptionState = noDecryptionState()): Promise<Resource[]> {
  if (state.inputs.values.size > 0) resources = await markFromInputs(resources, req, state.inputs);
  if (!resources.some((r) => hasSopsMetadata(r.object))) return resources;
  const choice = await keyChoice(req);
  const files = new Map<string, Promise<{ doc: SopsDocument; dec: DecryptedDocument; branchOf: number[] } | undefined>>();
  let rootReal: string | undefined;
  const out: Resource[] = [];
  for (const r of resources) {
    if (!hasSopsMetadata(r.object)) {
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
        rootReal ??= realPathOrUndefined(req.repoRoot);
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
    } else if ((fromVerified = substituteVerified(r.object, state.verified.size > 0 ? state.verified : undefined))) {
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
      checkNamespace(choice, identity(obj), keyNames, obj.metadata.namespace ?? req.context.namespace);
    } catch (e) {
      audit(req, what, keyNames, 'SOPS_NAMESPACE_NOT_GRANTED');
      throw e;
    }
    remember(req, state.material, plaintexts, keyNames, obj.kind === 'Secret');
    audit(req, what, keyNames, 'ok');
    out.push({ ...r, object: obj, decryptedBy: keyNames.join('+'), encryptedInRepo: true });
  }
  return out;
}
