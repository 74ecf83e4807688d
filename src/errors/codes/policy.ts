import type { CodeSpec } from './types.js';

/** Codes of the policy engine and `syncgate scan`. */
export const policyCodes = {
  POLICY_EVAL_FAILED: { kind: 'runtime', description: 'a policy could not judge an object (it threw); the render was refused (fail closed)' },
  POLICY_INPUT_UNREADABLE: { kind: 'usage', description: '`syncgate scan` was given a path that does not exist or cannot be read' },
  POLICY_INPUT_TOO_LARGE: { kind: 'runtime', description: '`syncgate scan` input exceeds limits.manifestBytes or limits.resources' },
  POLICY_BASELINE_INVALID: { kind: 'usage', description: '`syncgate scan --baseline` was given a file that cannot be read or is not the JSON report of `syncgate scan --format json`' },
  POLICY_TEST_INVALID: { kind: 'usage', description: '`syncgate test`: no test file found, or a syncgate-test.yaml that is unreadable or malformed, or whose config, policies or resources cannot be loaded' },
} as const satisfies Record<string, CodeSpec>;
