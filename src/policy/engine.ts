import type { GateConfig } from '../config/index.js';
import { SyncgateError } from '../errors/index.js';
import { identityKey } from '../k8s/index.js';
import { effectiveNamespace, effectiveIdentity as objectId } from './scope.js';
import { gateMetrics } from '../log/metrics.js';
import { activePolicies } from './registry.js';
import { WaiverBook } from './waivers.js';
import type { CheckContext, Decision, Finding, ScanInput, ScanResult, Violation } from './types.js';
import { reportDecision, type RefusalSubject } from './report.js';

/** Runs every enabled policy over the resources; findings are data, in a deterministic order. */
export async function scan(input: ScanInput): Promise<ScanResult> {
  await Promise.resolve();
  return scanSync(input);
}

/** The synchronous core of `scan` (benchmarks and the webhook call it directly). */
export function scanSync(input: ScanInput): ScanResult {
  const { resources, config, scope } = input;
  const policies = activePolicies(config).filter((a) => scope === 'app' || a.policy.scope === 'object');
  const ctx: CheckContext = { context: input.context, config, resources, scope, ...(input.sources ? { sources: input.sources } : {}) };
  const book = new WaiverBook(config, input.context, input.now ?? new Date());
  const findings: Finding[] = [];
  for (const r of resources) {
    let id: string | undefined;
    let key: string | undefined;
    for (const { policy, mode } of policies) {
      let violations: Violation[];
      try {
        violations = policy.check(r, ctx);
      } catch (e) {
        // Fail closed: a policy that cannot judge an object refuses the render.
        throw new SyncgateError('POLICY_EVAL_FAILED', `${objectId(r.object, input.context.namespace)}: ${policy.id}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      if (violations.length === 0) continue;
      const ns = effectiveNamespace(r.object, input.context.namespace);
      id ??= objectId(r.object, input.context.namespace);
      key ??= identityKey(r.object);
      // A waiver depends on the policy and the object only, not on the violation.
      const waived = book.waive(policy.id, r.object, id);
      for (const v of violations) {
        findings.push({
          policy: policy.id,
          severity: policy.severity,
          mode,
          object: id,
          kind: r.object.kind,
          ...(ns !== undefined ? { namespace: ns } : {}),
          name: r.object.metadata.name,
          source: r.source,
          doc: r.doc,
          path: v.path,
          message: input.redactor ? input.redactor.mask(v.message) : v.message,
          remediation: policy.remediation,
          fingerprint: fingerprint(`${policy.id}|${key}|${v.path}`),
          ...(waived ? { waived } : {}),
        });
      }
    }
  }
  findings.sort(compareFindings);
  const notices = book.collected();
  if (input.sources?.truncated) notices.push({ level: 'warn', message: 'the repo is larger than the file index caps (20000 files, 64 MiB): secrets/plaintext-secret looked for committed values in part of it' });
  const result: ScanResult = { findings, notices, scanned: resources.length };
  record(result, input);
  return result;
}

function compareFindings(a: Finding, b: Finding): number {
  return cmp(a.object, b.object) || cmp(a.policy, b.policy) || cmp(a.path, b.path) || cmp(a.message, b.message);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function record(result: ScanResult, input: ScanInput): void {
  const counts = new Map<string, { policy: string; mode: string; n: number }>();
  for (const f of result.findings) {
    if (f.waived) continue;
    const k = `${f.policy}\0${f.mode}`;
    const c = counts.get(k);
    if (c) c.n++;
    else counts.set(k, { policy: f.policy, mode: f.mode, n: 1 });
  }
  const metric = gateMetrics().findings;
  for (const c of counts.values()) metric.inc({ policy: c.policy, mode: c.mode }, c.n);
  const log = input.logger;
  if (!log) return;
  for (const f of result.findings) {
    if (f.mode === 'enforce' && !f.waived) continue; // the door logs the refusal with the full report
    log.info({ finding: f }, f.waived ? 'policy finding waived' : `policy finding (${f.mode})`);
  }
  for (const n of result.notices) log.warn({ notice: n.message }, 'policy notice');
}

/** Any enforce finding refuses the whole render; warn/audit findings are reported. */
export function decide(result: ScanResult, _config: GateConfig, subject: RefusalSubject = 'render'): Decision {
  return reportDecision(result, subject);
}


/**
 * A stable 64-bit FNV-1a style hash (two 32-bit lanes) of policy, object and path: SARIF
 * partialFingerprints need stability, not secrecy (no secret value is ever hashed here), and a
 * crypto hash per finding was the engine's largest cost.
 */
function fingerprint(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
