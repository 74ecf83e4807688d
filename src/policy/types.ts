import type { Resource } from '../k8s/index.js';
import type { AppContext } from '../request/index.js';
import type { GateConfig } from '../config/index.js';
import type { Logger, Redactor } from '../log/index.js';
import type { SourceFiles } from './sources.js';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type Mode = 'enforce' | 'warn' | 'audit';

/** Why a finding does not count. */
export interface Waiver {
  by: 'exception' | 'annotation';
  reason: string;
  expires?: string;
}

/** One policy result on one object: data, never an exception. Never carries a secret value. */
export interface Finding {
  /** `<pack>/<name>` */
  policy: string;
  severity: Severity;
  /** Mode after thresholds and per-policy overrides. */
  mode: Mode;
  /** `Kind/namespace/name` */
  object: string;
  kind: string;
  namespace?: string;
  name: string;
  /** File the object was read from, when known. */
  source?: string;
  /** Field path, e.g. `spec.template.spec.containers[0].securityContext.privileged`. */
  path: string;
  message: string;
  remediation: string;
  /** Set when an exception or an allowed inline waiver covers the finding. */
  waived?: Waiver;
  /** Stable hash of policy, object and path (SARIF partialFingerprints); never derived from a secret alone. */
  fingerprint?: string;
  /** Index of the document within its source (0-based), for report locations. */
  doc?: number;
}

/** A note about the scan itself (expired exceptions, rejected inline waivers, skipped policies). */
export interface ScanNotice {
  level: 'info' | 'warn';
  message: string;
}

export interface ScanResult {
  findings: Finding[];
  notices: ScanNotice[];
  /** Number of resources scanned. */
  scanned: number;
}

/** What the engine needs to judge a set of resources. */
export interface ScanInput {
  resources: readonly Resource[];
  context: AppContext;
  config: GateConfig;
  /** `app`: the whole render (app-scope policies run); `object`: one object (webhook). */
  scope: 'app' | 'object';
  /** Clock for exception expiry (tests pin it). */
  now?: Date;
  /** When given, audit and warn findings and notices are logged here. */
  logger?: Logger;
  /**
   * The request's secret mask: finding messages (a CEL messageExpression may quote field values
   * that came from decrypted inputs) are masked once here, so reports, logs and SARIF never
   * carry them.
   */
  redactor?: Redactor;
  /** The repo's files the resources were rendered from, for policies that ask what is committed. */
  sources?: SourceFiles;
}

/** The decision over a scan. */
export interface Decision {
  refused: boolean;
  /** One summary line. */
  summary: string;
  /**
   * When refused: the summary line, then the findings grouped by object (capped), for Argo CD's
   * condition view, the admission status and stderr. Empty when not refused.
   */
  report: string;
  /** Warn-mode findings, one line each (stderr, admission warnings), then warn-level notices. */
  warnings: string[];
  /** Counts behind the summary. */
  counts?: DecisionCounts;
}

/** How many findings of each kind a decision saw. */
export interface DecisionCounts {
  enforce: number;
  warn: number;
  audit: number;
  waived: number;
  /** Objects with at least one unwaived enforce finding. */
  refusedObjects: number;
}

/** References to the controls a policy mirrors. */
export interface PolicyReferences {
  /** Pod Security Standards control, e.g. `Privileged Containers`. */
  pss?: string;
  /** Kubescape control id, e.g. `C-0057`. */
  kubescape?: string;
  /** Checkov check id, e.g. `CKV_K8S_16`. */
  checkov?: string;
  /** Any URL. */
  url?: string;
}

/** Registry entry of a policy (built-in or custom). */
export interface PolicyMeta {
  /** `<pack>/<name>`, stable. */
  id: string;
  pack: string;
  name: string;
  severity: Severity;
  /** One-line rule, as the docs show it. */
  rule: string;
  remediation: string;
  references: PolicyReferences;
  /** `app`: needs the whole render (skipped by the webhook); `object`: judges one object. */
  scope: 'object' | 'app';
  /** A mode the policy itself dictates (ValidatingAdmissionPolicyBinding validationActions). */
  fixedMode?: Mode;
}

/** One violation a policy reports on one object; the engine turns it into a Finding. */
export interface Violation {
  path: string;
  message: string;
}

/** What a policy check sees besides the object. */
export interface CheckContext {
  context: AppContext;
  config: GateConfig;
  /** The whole render (for app-scope policies); just the object in webhook scope. */
  resources: readonly Resource[];
  scope: 'app' | 'object';
  /** The repo's files, when the door has them (render, scan of files); absent in the webhook. */
  sources?: SourceFiles;
}

/** A policy: metadata plus a pure check. It must not throw for bad input: report or skip. */
export interface Policy extends PolicyMeta {
  check(resource: Resource, ctx: CheckContext): Violation[];
}
