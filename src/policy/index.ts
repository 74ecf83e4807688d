// The policy engine: a registry of built-in and CEL (ValidatingAdmissionPolicy) policies,
// modes, thresholds and exceptions from the platform config only, and the decision. Findings
// are data, never exceptions; a finding never carries a secret value, and no annotation in the
// repo waives anything the platform config does not allow to be waived inline.
export { scan, scanSync, decide } from './engine.js';
export { BUILTIN_POLICIES, activePolicies, modeFor } from './registry.js';
export { findingLine, reportDecision, REPORT_LINES } from './report.js';
export { toSarif, type LineOf } from './sarif.js';
export { FieldPositions, pathSteps } from './positions.js';
export { toJunit, testJunit } from './junit.js';
export { findTestFiles, runTestFile, TEST_FILE, type TestFileResult, type ExpectationResult, type Outcome } from './test-runner.js';
export { toPolicyReports, type PolicyReportOptions } from './policyreport.js';
export { readBaseline, applyBaseline } from './baseline.js';
export { readManifests, manifestsFromText, type ManifestSet } from './read-manifests.js';
export { podViewOf, WORKLOAD_KINDS, type PodView, type ContainerRef } from './podspec.js';
export { WAIVER_ANNOTATION } from './waivers.js';
export { effectiveIdentity, effectiveNamespace } from './scope.js';
export { SECRET_RULES } from './packs/secret-rules.js';
export { policiesMarkdown } from './docs.js';
export { SourceFiles, type SourceHit } from './sources.js';
export type * from './types.js';
