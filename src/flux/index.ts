// The Flux door: reproduces kustomize-controller's build (SOPS inputs, kustomize build, per
// object decryption then postBuild substitution) in front of gate(), and writes what Flux should
// sync with every SOPS object still encrypted. It never writes plaintext and never picks a key
// from the repo: the tenant is the Kustomization's `<namespace>/<name>`.
export { fluxBuild, fluxContext, isEncrypted, type FluxBuildRequest, type FluxBuildResult } from './build.js';
export { envsubst, EnvsubstError, type Mapping } from './expand.js';
export { loadKustomization, parseKustomization, type FluxKustomization, type SubstituteReference } from './kustomization.js';
export { substituteObject, substituteResources, substitutionDisabled, checkVarNames, SUBSTITUTE_KEY, type SubstituteOptions } from './substitute.js';
export { loadVariables, readVariableSources, type SecretDecryptor, type VariableSource } from './variables.js';
export { writeOutput, MANIFESTS_FILE } from './write-output.js';
