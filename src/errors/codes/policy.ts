import type { CodeSpec } from './types.js';

/** Codes of the policy engine and `syncgate scan`. */
export const policyCodes = {
  POLICY_EVAL_FAILED: { kind: 'runtime', description: 'a policy could not judge an object (it threw); the render was refused (fail closed)' },
  POLICY_INPUT_UNREADABLE: { kind: 'usage', description: '`syncgate scan` was given a path that does not exist or cannot be read' },
  POLICY_INPUT_TOO_LARGE: { kind: 'runtime', description: '`syncgate scan` input exceeds limits.manifestBytes or limits.resources' },
  POLICY_BASELINE_INVALID: { kind: 'usage', description: '`syncgate scan --baseline` was given a file that cannot be read or is not the JSON report of `syncgate scan --format json`' },
  POLICY_TEST_INVALID: { kind: 'usage', description: '`syncgate test`: a test file (syncgate-test.yaml) is unreadable, malformed, or names a resource, policy or file that does not exist' },
} as const satisfies Record<string, CodeSpec>;
