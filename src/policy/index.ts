// The policy engine: a registry of built-in and CEL (ValidatingAdmissionPolicy) policies,
// modes, thresholds and exceptions from the platform config only, and the decision. Findings
// are data, never exceptions; a finding never carries a secret value.
export { scan, decide } from './engine.js';
export type * from './types.js';
