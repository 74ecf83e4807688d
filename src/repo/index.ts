// The repo filesystem: containment, symlink resolution, bounded reads and the kustomization walk
// that every stage (render, sops) and door (cmp, flux) uses for paths the app names.
export { displayPath, isInside, readRepoFile, realPathInside, realPathOrUndefined, resolveInsideRepo } from './paths.js';
export { isRemoteReference } from './remote.js';
export { KUSTOMIZATION_FILES, findKustomization, kustomizationPaths, walkKustomization, type KustomizationRef, type KustomizationTree } from './kustomization.js';
export { checkSymlinks, symlinkTarget } from './symlinks.js';
