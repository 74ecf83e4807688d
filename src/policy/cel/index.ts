// Custom policies written as Kubernetes ValidatingAdmissionPolicy (+Binding, + param objects),
// evaluated with a real CEL implementation (@bufbuild/cel) plus the Kubernetes CEL libraries.
// A policy that fails to compile is a start-up configuration error (CONFIG_INVALID naming its
// file), never a silent skip.
import type { Policy } from '../types.js';
import { loadPolicies } from './load.js';

export { compileExpression, CelCompileError, type CompiledExpr, type CelVars } from './compile.js';
export { toCel, fromCel } from './value.js';
export { resourceFor } from './resources.js';

/** Loads and compiles the custom policies named in `spec.policies.custom`. */
export function loadCustomPolicies(paths: readonly string[]): Policy[] {
  return loadPolicies(paths);
}
