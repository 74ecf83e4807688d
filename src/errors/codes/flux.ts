import type { CodeSpec } from './types.js';

/** Codes of the Flux door (`syncgate flux build`) and the admission webhook. */
export const fluxCodes = {
  FLUX_KUSTOMIZATION_INVALID: {
    kind: 'usage',
    description: 'the Flux Kustomization manifest is missing, unreadable or not a kustomize.toolkit.fluxcd.io Kustomization',
  },
  FLUX_GENERATE_FAILED: {
    kind: 'usage',
    description:
      "kustomize-controller's kustomization generator fails on this source: a manifest that is not Kubernetes YAML, an unreadable kustomization file, a component path that is not local",
  },
  FLUX_TREE_INVALID: {
    kind: 'usage',
    description: 'a cluster tree holds no Flux Kustomization, two with the same namespace/name, or a dependsOn cycle',
  },
  FLUX_DIFF_INVALID: { kind: 'usage', description: 'the previous build given to flux diff cannot be read as a manifest stream or a flux build --output' },
  FLUX_PATH_INVALID: { kind: 'usage', description: 'the Kustomization spec.path (or --path) does not resolve to a directory inside the repo root' },
  FLUX_VAR_NAME_INVALID: {
    kind: 'usage',
    description: 'a postBuild variable name does not match ^[_[:alpha:]][_[:alpha:][:digit:]]*$ (Flux rejects it too)',
  },
  FLUX_SUBSTITUTE_FAILED: {
    kind: 'runtime',
    description: 'postBuild substitution failed on an object: a variable is not set (strict mode) or a ${...} expression is malformed',
  },
  FLUX_SUBSTITUTE_FROM_MISSING: {
    kind: 'usage',
    description: 'a non-optional postBuild.substituteFrom ConfigMap/Secret was not given with --substitute-from',
  },
  FLUX_SUBSTITUTE_FROM_INVALID: {
    kind: 'usage',
    description: 'a --substitute-from file is not a ConfigMap or Secret manifest, or its data cannot be read',
  },
  FLUX_SECRET_ENCRYPTED: {
    kind: 'runtime',
    description: 'a Secret is still SOPS-encrypted but the Kustomization has no spec.decryption (kustomize-controller refuses it too)',
  },
  FLUX_OUTPUT_UNSAFE: {
    kind: 'runtime',
    description: 'the build output cannot be written without plaintext from decryption; nothing was written',
  },
  FLUX_OUTPUT_FAILED: { kind: 'runtime', description: 'the --output directory or archive could not be written; nothing was left behind' },
  WEBHOOK_REVIEW_INVALID: {
    kind: 'usage',
    description: 'the request body is not an admission.k8s.io/v1 AdmissionReview with a request uid (HTTP 400)',
  },
  WEBHOOK_BODY_TOO_LARGE: { kind: 'usage', description: 'the AdmissionReview body is larger than webhook.maxBodyBytes (HTTP 413)' },
  WEBHOOK_TLS_INVALID: { kind: 'config', description: 'the webhook TLS certificate or key file is missing or unusable' },
  WEBHOOK_TIMEOUT: {
    kind: 'runtime',
    description: 'judging an admission request took longer than webhook.timeout; the webhook answered with an error',
  },
} as const satisfies Record<string, CodeSpec>;
