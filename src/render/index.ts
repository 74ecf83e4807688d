// Rendering: detect the app type (Helm chart, Kustomize, plain directory) and turn the source
// into resources with `Kind/namespace/name` identity. Tools run through src/exec only, without
// network, and no path from the app may resolve outside the repo root. The pre-checks read the
// source synchronously: it sits on the sidecar's memory-backed /tmp (or a CI checkout), where a
// small read costs microseconds and a thread-pool round trip costs more than the read.
export { render } from './render.js';
export { renderDirectory } from './directory.js';
export { renderHelm, helmTemplateArgs, releaseNameFor } from './helm.js';
export { cleanSetValue, flattenHelmValues, helmKey, helmParameterArgs, readChartValues } from './helm-parameters.js';
export type { HelmDefault } from './helm-parameters.js';
export { renderKustomize, kustomizeBuildArgs } from './kustomize.js';
export { detectSourceType, findKustomization, KUSTOMIZATION_FILES } from './detect.js';
export type { RenderInput, SourceType } from './types.js';
