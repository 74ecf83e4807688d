// Rendering: detect the app type (Helm chart, Kustomize, plain directory) and turn the source
// into resources with `Kind/namespace/name` identity. Tools run through src/exec only, without
// network, and no path from the app may resolve outside the repo root.
export { render } from './render.js';
export { renderDirectory } from './directory.js';
export type { RenderInput, SourceType } from './types.js';
