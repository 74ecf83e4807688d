// The pipeline core: gate(request) renders an app, decrypts its secrets with granted keys,
// scans every resource and decides to emit all or refuse all. Every door calls it; it never
// imports a door, never emits a subset, and never lets plaintext reach logs or errors.
export { gate, gateObjects } from './gate.js';
export type { GateRequest, GateResult, ResourceTransform } from './types.js';
export type { AppContext, RenderOptions } from '../request/index.js';
export {
  checkWorkCapacity,
  createWorkDir,
  memoryLimit,
  removeLiveWorkDirs,
  removeStaleWorkDirs,
  removeWorkDir,
  removeWorkDirSync,
  repoWorkBytes,
  workBase,
  type WorkCapacity,
} from './workdir.js';
