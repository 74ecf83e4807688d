import type { CodeSpec } from './types.js';

/** Codes of the SOPS stage: parsing, integrity, key grants. */
export const sopsCodes = {
  SOPS_FORMAT_INVALID: { kind: 'runtime', description: 'a SOPS file or object cannot be parsed, or its sops metadata block is malformed (not a mapping, a version sops refuses)' },
  SOPS_NOT_ENCRYPTED: { kind: 'runtime', description: 'a value that the file\'s selection rule says is encrypted is cleartext (a value added or replaced in the repo)' },
  SOPS_DECRYPT_FAILED: { kind: 'runtime', description: 'an encrypted value fails AES-GCM authentication: it was changed, or moved or swapped to another path' },
  SOPS_MAC_MISSING: { kind: 'runtime', description: 'a SOPS file has no MAC; syncgate always verifies the MAC' },
  SOPS_MAC_MISMATCH: { kind: 'runtime', description: 'the SOPS MAC does not match: values were changed, reordered, added or removed, or lastmodified was edited' },
  SOPS_KEY_NOT_GRANTED: { kind: 'runtime', description: 'none of the keys a SOPS file is encrypted for is granted to this app (project, app, repo, path or Flux Kustomization)' },
  SOPS_NAMESPACE_NOT_GRANTED: { kind: 'runtime', description: 'a decrypted object, or any object holding a decrypted value, would land in a namespace outside its key\'s grant' },
  SOPS_DATA_KEY_FAILED: { kind: 'runtime', description: 'the age stanza for a granted key does not decrypt, or the Shamir shares do not combine' },
  SOPS_KEY_UNSUPPORTED: { kind: 'runtime', description: 'a SOPS file has no age recipients (PGP/KMS/Vault only); syncgate decrypts with age keys only' },
  SOPS_KEY_FILE_INVALID: { kind: 'config', description: 'an ageIdentityFile of spec.keys cannot be read or holds no valid age identity' },
} as const satisfies Record<string, CodeSpec>;
