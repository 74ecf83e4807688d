import { resolve } from 'node:path';
import type { GateRequest } from '../request/index.js';
import { isInside, realPathOrUndefined } from '../repo/index.js';
import type { KeyChoice } from './decrypt-file.js';
import { prepareKustomization } from './kustomize-inputs.js';
import { noDecryptionState, type PreparedSource } from './prepared.js';
import type { PrepareContext } from './repo-file.js';
import { keyChoice } from './request-keys.js';
import { decryptValuesFiles } from './values-files.js';

/**
 * Decrypts SOPS-encrypted render inputs before the render tools run: Helm values files (named or
 * matching `spec.sops.valuesFilePatterns`) in memory for helm's stdin, and kustomize generator
 * inputs in a private copy of the repo under `workDir`. Plaintext goes to the redactor; what
 * decryptResources needs after the render is returned in the PreparedSource.
 */
export async function prepareSecrets(req: GateRequest, workDir: string): Promise<PreparedSource> {
  const named = [...(req.options.valueFiles ?? [])];
  const prepared: PreparedSource = { appDir: req.appDir, repoRoot: req.repoRoot, valueFiles: named, decrypted: [], ...noDecryptionState() };
  const repoRoot = realPathOrUndefined(req.repoRoot);
  const appDir = realPathOrUndefined(req.appDir) ?? resolve(req.appDir);
  // A missing root or an app dir outside it is the renderer's error to report (RENDER_APP_DIR_INVALID).
  if (repoRoot === undefined || !isInside(repoRoot, appDir)) return prepared;
  let choiceP: Promise<KeyChoice> | undefined;
  const ctx: PrepareContext = { req, repoRoot, choice: () => (choiceP ??= keyChoice(req)), inputs: prepared.inputs, material: prepared.material };

  const values = await decryptValuesFiles(ctx, appDir, named);
  prepared.valueFiles = values.valueFiles;
  prepared.decrypted.push(...values.decrypted);
  if (values.helmValues !== undefined) {
    prepared.helmValues = values.helmValues;
    // gate() hands `req.options` to the renderer after this stage: dropping the encrypted files
    // here means helm never reads ciphertext (req is gate's own copy, not the door's object).
    req.options = { ...req.options, valueFiles: values.valueFiles };
  }

  const k = await prepareKustomization(ctx, appDir, workDir, prepared.verified);
  prepared.decrypted.push(...k.decrypted);
  if (k.repoRoot !== repoRoot) {
    prepared.repoRoot = k.repoRoot;
    prepared.appDir = k.appDir;
  } else if (prepared.repoRoot === repoRoot && prepared.appDir === appDir) {
    // The render builds the very tree walked here: it reuses the walk.
    prepared.kustomizationTree = k.tree;
  }
  return prepared;
}
