import type { Resource } from '../k8s/index.js';
import type { AppContext } from '../gate/context.js';
import type { GateConfig } from '../config/index.js';

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
}

/** The decision over a scan. */
export interface Decision {
  refused: boolean;
  /** One summary line. */
  summary: string;
  /** Short report for Argo CD's condition view (capped, grouped by object). */
  report: string;
  /** Warn-mode findings, one line each (stderr, admission warnings). */
  warnings: string[];
}
