// The Flux door: reproduces kustomize-controller's build in front of gate(): the kustomization its
// generator writes (spec fields merged in), the real `kustomize build` (LoadRestrictionsNone,
// confined to the source root), per object decryption then postBuild substitution, commonMetadata
// and owner labels; for one Kustomization or a whole cluster tree in dependsOn order. It writes
// what Flux should sync with every SOPS object still encrypted, never writes plaintext and never
// picks a key from the repo: the tenant is the Kustomization's `<namespace>/<name>`.
export {
  copySource,
  fluxBuild,
  fluxContext,
  isEncrypted,
  resolveSpecPath,
  OWNER_NAME_LABEL,
  OWNER_NAMESPACE_LABEL,
  type FluxBuildRequest,
  type FluxBuildResult,
} from './build.js';
export { diffBuilds, formatDiff, readPreviousBuild, type ObjectChange } from './diff.js';
export { envsubst, EnvsubstError, type Mapping } from './expand.js';
export { generateKustomization, type Generated } from './generate.js';
export {
  kustomizationsIn,
  loadKustomization,
  parseKustomization,
  type FluxDependency,
  type FluxGeneratorFields,
  type FluxKustomization,
  type SubstituteReference,
} from './kustomization.js';
export { substituteObject, substituteResources, substitutionDisabled, checkVarNames, SUBSTITUTE_KEY, type SubstituteOptions } from './substitute.js';
export { dependencyOrder, findKustomizations, fluxBuildTree, treeReport, type TreeBuild, type TreeBuildRequest, type TreeResult } from './tree.js';
export { loadVariables, readVariableSources, type SecretDecryptor, type VariableSource } from './variables.js';
export { writeOutput, MANIFESTS_FILE } from './write-output.js';
