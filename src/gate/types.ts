import type { Resource } from '../k8s/index.js';
import type { Redactor } from '../log/index.js';
import type { Decision, ScanResult } from '../policy/types.js';

export type { GateRequest, ResourceTransform } from '../request/index.js';

/** What gate() returns: the objects and the verdict. Violations are data, not exceptions. */
export interface GateResult {
  /** Every rendered (decrypted, transformed) resource, in render order. */
  resources: Resource[];
  scan: ScanResult;
  decision: Decision;
  /** The request's redactor: doors pass any text they print through it. */
  redactor: Redactor;
  /** Milliseconds spent per stage. */
  timings: Record<string, number>;
}
