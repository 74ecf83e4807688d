import type { CodeSpec } from './types.js';

/** Codes of src/render: detection, path safety, Helm and Kustomize. */
export const renderCodes = {
  RENDER_APP_DIR_INVALID: {
    kind: 'runtime',
    description: 'the app directory does not exist, is not a directory, or is not inside the repo root',
  },
  RENDER_PATH_OUTSIDE_REPO: {
    kind: 'runtime',
    description: 'a path from the app (values file, any path a kustomization reads, manifest, symlink, SOPS input) resolves outside the repo root: the one code of the repo filesystem for every stage and door',
  },
  RENDER_PATH_NOT_FOUND: {
    kind: 'runtime',
    description: 'a path from the app (values file, any path a kustomization reads) does not exist, or is a dangling or looping symlink',
  },
  RENDER_TYPE_DISABLED: {
    kind: 'runtime',
    description: 'the app is a Helm chart or Kustomize dir but the platform config disables that renderer',
  },
  RENDER_HELM_CHART_INVALID: {
    kind: 'runtime',
    description: 'Chart.yaml cannot be parsed or its dependencies list is malformed',
  },
  RENDER_HELM_DEPENDENCY_MISSING: {
    kind: 'runtime',
    description: 'a chart dependency is not vendored under charts/ (syncgate never downloads charts: run `helm dependency build` and commit charts/)',
  },
  RENDER_HELM_FAILED: { kind: 'runtime', description: '`helm template` failed; the message ends with its stderr tail' },
  RENDER_KUSTOMIZE_INVALID: {
    kind: 'runtime',
    description: 'a kustomization file cannot be parsed or a path field has the wrong type',
  },
  RENDER_KUSTOMIZE_REMOTE_BASE: {
    kind: 'runtime',
    description: 'a kustomization references a remote base, resource, component or chart (URL, git@, github.com/…, ?ref=); only paths inside the repo are allowed',
  },
  RENDER_KUSTOMIZE_FAILED: { kind: 'runtime', description: '`kustomize build` failed; the message ends with its stderr tail' },
} as const satisfies Record<string, CodeSpec>;
