import { apiGroup } from '../../k8s/index.js';
import type { Policy } from '../types.js';

/**
 * Decrypted SOPS material outside a Secret: the SOPS stage marks every object holding a
 * decrypted value (or its base64) with the fields; a Secret is where such values belong.
 */
export const decryptedMaterialPolicies: readonly Policy[] = [
  {
    id: 'secrets/decrypted-in-plain-object',
    pack: 'secrets',
    name: 'decrypted-in-plain-object',
    scope: 'object',
    severity: 'medium',
    rule: 'a value decrypted from a SOPS file (or its base64) may only end up in a Secret',
    remediation:
      'keep the value in a Secret and reference it (env valueFrom.secretKeyRef, a Secret volume) instead of templating it into this object; if the object itself was encrypted, make it a Secret',
    references: { url: 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/' },
    check(r) {
      const at = r.decryptedMaterialAt;
      if (!at || at.length === 0) return [];
      if (r.object.kind === 'Secret' && apiGroup(r.object.apiVersion) === '') return [];
      // The paths name fields, never values: findings reach reports, logs and Argo CD conditions.
      return at.map((path) => ({ path: path.replace(/ \(key\)$/, ''), message: `holds a value decrypted from a SOPS file${path.endsWith(' (key)') ? ' (as a key)' : ''}` }));
    },
  },
];
