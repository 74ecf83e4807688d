// Kubernetes object model: the envelope types, identity (`Kind/namespace/name`), which kinds are
// cluster-scoped and the YAML/JSON codec. It knows nothing about rendering, secrets or policies and never does I/O.
export type { K8sObject, K8sMetadata, Resource } from './types.js';
export { identity, identityKey, apiGroup } from './identity.js';
export { parseDocuments, parseResources, asObject, toYamlStream } from './codec.js';
export { cloneParsed } from './clone.js';
export { parseDocumentsExact } from './parse-exact.js';
export { isClusterScoped } from './scope.js';
