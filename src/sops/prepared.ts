import type { KustomizationTree } from '../repo/index.js';
import type { VerifiedValues } from './object-tree.js';
import { DecryptedMaterial } from './taint.js';

/** Plaintexts (and the keys that opened them) of the render inputs decrypted before the render. */
export interface InputPlaintexts {
  values: Set<string>;
  keys: Set<string>;
}

/**
 * What the SOPS stage learnt before the render that decryptResources needs after it: handed on
 * explicitly (gate passes the PreparedSource back), never kept beside the request.
 */
export interface DecryptionState {
  /** Plaintexts of decrypted values files and generator inputs, to recognise the Secrets built from them. */
  inputs: InputPlaintexts;
  /** Ciphertexts of kustomize resource files whose MAC was verified before the build. */
  verified: VerifiedValues;
  /** Every value decrypted for this request (before and after the render), followed by trackDecrypted. */
  material: DecryptedMaterial;
}

/** The app source as the renderer should see it after secret inputs were prepared. */
export interface PreparedSource extends DecryptionState {
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
  /** The kustomization walk of appDir in repoRoot (the render reuses it instead of walking again). */
  kustomizationTree?: KustomizationTree;
}

/** An empty state: nothing was decrypted before the render. */
export function noDecryptionState(): DecryptionState {
  return { inputs: { values: new Set(), keys: new Set() }, verified: new Map(), material: new DecryptedMaterial() };
}
