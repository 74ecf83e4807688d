// Kubernetes object model: the envelope types, identity (`Kind/namespace/name`), which kinds are
// cluster-scoped and the one YAML/JSON codec, which reads manifests exactly as Kubernetes does
// (sigs.k8s.io/yaml), bounded in bytes, documents, depth and aliases. It knows nothing about
// rendering, secrets or policies, never does I/O, and never throws anything but a SyncgateError.
export type { K8sObject, K8sMetadata, Resource } from './types.js';
export { identity, identityKey, apiGroup } from './identity.js';
export { parseDocuments, parseResources, asObject, toYamlStream, needsQuotes, isMap } from './codec.js';
export { decodeJson as parseJson } from './decode.js';
export { toJson } from './json.js';
export { resolveScalar, resolveTyped, keyString, ScalarError, type Resolved } from './resolve.js';
export { DEFAULT_LIMITS, type ParseLimits } from './limits.js';
export { cloneParsed } from './clone.js';
export { isClusterScoped } from './scope.js';
