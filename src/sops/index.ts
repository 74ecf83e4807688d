// SOPS decryption in-process with least-privilege age keys: parse, verify the MAC, unwrap the
// data key with a key granted to this app only, decrypt values. It must never write plaintext
// to persistent disk, log it, or choose a key from anything the repo controls.
export { prepareSecrets } from './prepare.js';
export { decryptResources } from './resources.js';
export type { DecryptionState, PreparedSource } from './prepared.js';
export { trackDecrypted, MIN_TRACKED_LENGTH } from './taint.js';
export { looksSopsEncrypted, hasSopsMetadata } from './detect.js';
export { parseSops, decryptDocument, formatOf, looksEncrypted, type DecryptedDocument, type KeyChoice } from './decrypt-file.js';
export { emitTree, toJs } from './emit.js';
export { loadKeyStore, isGranted, namespaceGranted, type KeyStore, type LoadedKey } from './keystore.js';
export type { SopsDocument, SopsFormat, TreeNode } from './tree.js';
