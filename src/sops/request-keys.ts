import { SyncgateError, isSyncgateError } from '../errors/index.js';
import type { GateRequest } from '../request/index.js';
import { Redactor } from '../log/index.js';
import { audit } from './audit.js';
import { decryptDocument, type DecryptedDocument, type KeyChoice } from './decrypt-file.js';
import { isGranted, loadKeyStore, namespaceGranted } from './keystore.js';
import type { DecryptedMaterial } from './taint.js';
import type { SopsDocument } from './tree.js';

/** The keys this request may use: only the trusted AppContext chooses them. */
export async function keyChoice(req: GateRequest): Promise<KeyChoice> {
  const store = await loadKeyStore(req.config);
  // Never options, ARGOCD_ENV_* or repo content.
  const broken = store.failed.find((f) => isGranted(f, req.context));
  if (broken) throw broken.error;
  return { store, granted: store.keys.filter((k) => isGranted(k, req.context)), context: req.context };
}

/** Gives every decrypted value to the request's mask and to the material followed through the render. */
export function remember(
  req: GateRequest,
  material: DecryptedMaterial,
  plaintexts: readonly string[],
  keyNames: readonly string[],
  secretData = false,
): void {
  req.redactor ??= new Redactor();
  const r = req.redactor;
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

/** Refuses a decryption whose keys do not grant the namespace the object (or the app) lands in. */
export function checkNamespace(choice: KeyChoice, what: string, keyNames: readonly string[], namespace: string): void {
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

/** decryptDocument, with a failure written to the audit log. */
export async function decryptAudited(req: GateRequest, target: string, doc: SopsDocument, choice: KeyChoice): Promise<DecryptedDocument> {
  try {
    return await decryptDocument(target, doc, choice);
  } catch (e) {
    audit(req, target, [], isSyncgateError(e) ? e.code : 'internal');
    throw e;
  }
}
