import type { Resource } from '../k8s/index.js';
import { effectiveIdentity, effectiveNamespace } from './scope.js';
import type { Finding, ScanResult } from './types.js';

// wgpolicyk8s.io/v1alpha2 PolicyReport / ClusterPolicyReport (the CRDs Kyverno ships in
// config/crds/policyreport/, which Policy Reporter and the Kyverno UI read): one PolicyReport per
// namespace for namespaced objects, one ClusterPolicyReport for cluster-scoped ones. Results are
// the findings: an unwaived enforce finding is `fail`, warn and audit findings are `warn`, a
// waived one is `skip` (with the waiver's reason as a property), as Kyverno reports an exception.

/** What a report needs besides the scan. */
export interface PolicyReportOptions {
  /** Report name (`syncgate-<app>`); DNS-1123. */
  name: string;
  /** Destination namespace for objects without one. */
  namespace: string;
  /** Timestamp of every result. */
  now: Date;
}

type Result = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

interface ReportResult {
  policy: string;
  rule: string;
  category: string;
  severity: string;
  result: Result;
  message: string;
  source: 'syncgate';
  scored: boolean;
  timestamp: { seconds: number; nanos: number };
  resources: { apiVersion: string; kind: string; name: string; namespace?: string }[];
  properties: Record<string, string>;
}

function resultOf(f: Finding): Result {
  if (f.waived) return 'skip';
  return f.mode === 'enforce' ? 'fail' : 'warn';
}

function dnsName(s: string): string {
  const n = s.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return (n === '' ? 'syncgate' : n).slice(0, 253);
}

/** The PolicyReport (per namespace) and ClusterPolicyReport objects of a scan, in a stable order. */
export function toPolicyReports(result: ScanResult, resources: readonly Resource[], opts: PolicyReportOptions): Record<string, unknown>[] {
  const apiVersions = new Map<string, string>();
  for (const r of resources) apiVersions.set(effectiveIdentity(r.object, opts.namespace), r.object.apiVersion);
  const byNamespace = new Map<string, ReportResult[]>();
  const seconds = Math.floor(opts.now.getTime() / 1000);
  for (const f of result.findings) {
    const ns = f.namespace ?? '';
    const properties: Record<string, string> = { path: f.path, mode: f.mode, fix: f.remediation };
    if (f.fingerprint) properties['fingerprint'] = f.fingerprint;
    if (f.source) properties['file'] = f.source;
    if (f.waived) {
      properties['waivedBy'] = f.waived.by;
      properties['waiverReason'] = f.waived.reason;
      if (f.waived.expires) properties['waiverExpires'] = f.waived.expires;
    }
    const list = byNamespace.get(ns) ?? [];
    list.push({
      policy: f.policy,
      rule: f.policy.slice(f.policy.indexOf('/') + 1),
      category: f.policy.slice(0, f.policy.indexOf('/')),
      severity: f.severity,
      result: resultOf(f),
      message: `${f.message} (${f.path})`,
      source: 'syncgate',
      scored: true,
      timestamp: { seconds, nanos: 0 },
      resources: [{ apiVersion: apiVersions.get(f.object) ?? 'v1', kind: f.kind, name: f.name, ...(f.namespace !== undefined ? { namespace: f.namespace } : {}) }],
      properties,
    });
    byNamespace.set(ns, list);
  }
  // Namespaces of scanned objects without findings still get a (passing) report.
  for (const r of resources) {
    const ns = effectiveNamespace(r.object, opts.namespace) ?? '';
    if (!byNamespace.has(ns)) byNamespace.set(ns, []);
  }
  const name = dnsName(`syncgate-${opts.name}`);
  return [...byNamespace.keys()].sort().map((ns) => {
    const results = byNamespace.get(ns) ?? [];
    const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    for (const r of results) summary[r.result]++;
    return {
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: ns === '' ? 'ClusterPolicyReport' : 'PolicyReport',
      metadata: { name, ...(ns === '' ? {} : { namespace: ns }), labels: { 'app.kubernetes.io/managed-by': 'syncgate' } },
      summary,
      results,
    };
  });
}
