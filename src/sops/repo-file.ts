import { isSyncgateError } from '../errors/index.js';
import type { GateRequest } from '../request/index.js';
import { Redactor } from '../log/index.js';
import { readRepoFile } from '../repo/index.js';
import { audit } from './audit.js';
import { formatOf, looksEncrypted, parseSops, type DecryptedDocument, type KeyChoice } from './decrypt-file.js';
import type { InputPlaintexts } from './prepared.js';
import type { DecryptedMaterial } from './taint.js';
import { checkNamespace, decryptAudited, remember } from './request-keys.js';
import type { SopsDocument } from './tree.js';

/** The largest repo file the SOPS stage reads. */
export const MAX_SOPS_FILE = 64 * 1024 * 1024;

/** What the pre-render steps share: the request, its keys (loaded on first use) and what was decrypted. */
export interface PrepareContext {
  req: GateRequest;
  choice: () => Promise<KeyChoice>;
  /** The real repo root. */
  repoRoot: string;
  inputs: InputPlaintexts;
  /** Where every decrypted value goes, to be followed through the render. */
  material: DecryptedMaterial;
}

/** A repo file's SOPS document, or undefined when the file is not (or not a parsable) SOPS file. */
export function readSopsFile(real: string, rel: string): SopsDocument | undefined {
  const text = readRepoFile(real, rel, MAX_SOPS_FILE);
  if (text === undefined || !looksEncrypted(text)) return undefined;
  let doc: SopsDocument;
  try {
    doc = parseSops(rel, text, formatOf(real));
  } catch (e) {
    // A file that is not sops at all is the renderer's (or kustomize's) business, not ours.
    if (isSyncgateError(e, 'SOPS_FORMAT_INVALID')) return undefined;
    throw e;
  }
  return doc.metadata === undefined || doc.metadata === null ? undefined : doc;
}

/**
 * Decrypts one render input (values file, generator file) already resolved inside the repo:
 * its keys must grant the app's namespace; the plaintext goes to the mask and the input set.
 * Undefined when the file is not encrypted.
 */
export async function decryptRepoFile(ctx: PrepareContext, real: string, rel: string): Promise<DecryptedDocument | undefined> {
  const doc = readSopsFile(real, rel);
  if (doc === undefined) return undefined;
  const { req } = ctx;
  const c = await ctx.choice();
  const d = await decryptAudited(req, rel, doc, c);
  checkNamespace(c, rel, d.keyNames, req.context.namespace);
  remember(req, ctx.material, d.plaintexts, d.keyNames);
  for (const p of d.plaintexts) if (p.length >= Redactor.MIN_LENGTH) ctx.inputs.values.add(p);
  for (const k of d.keyNames) ctx.inputs.keys.add(k);
  audit(req, rel, d.keyNames, 'ok');
  return d;
}
