import type { GateConfig } from '../config/index.js';
import { activePolicies } from './registry.js';
import type { Finding, Mode, ScanResult, Severity } from './types.js';

/** The 1-based line of a finding's field (`path`) in document `doc` of its file, when known. */
export type LineOf = (source: string, doc: number, path: string) => number | undefined;

const LEVEL: Readonly<Record<Mode, 'error' | 'warning' | 'note'>> = { enforce: 'error', warn: 'warning', audit: 'note' };
// GitHub code scanning maps security-severity to critical (≥9), high (≥7), medium (≥4), low.
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

/** A SARIF 2.1.0 log of a scan (GitHub code scanning accepts it). */
export function toSarif(result: ScanResult, config: GateConfig, opts: { version: string; lineOf?: LineOf }): unknown {
  const active = activePolicies(config);
  const ids = new Map<string, number>();
  const rules = active.map(({ policy, mode }, i) => {
    ids.set(policy.id, i);
    const refs = Object.entries(policy.references).map(([k, v]) => `${k}: ${v}`).join('; ');
    return {
      id: policy.id,
      name: policy.id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')),
      shortDescription: { text: policy.rule },
      fullDescription: { text: `${policy.rule}${refs ? ` (${refs})` : ''}` },
      help: { text: `Fix: ${policy.remediation}`, markdown: `**Fix:** ${policy.remediation}${refs ? `\n\nReferences: ${refs}` : ''}` },
      defaultConfiguration: { level: LEVEL[mode] },
      properties: { tags: ['security', 'kubernetes', policy.pack], precision: 'high', 'security-severity': SECURITY_SEVERITY[policy.severity] },
    };
  });
  const results = result.findings.map((f) => toResult(f, ids.get(f.policy), opts.lineOf));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'syncgate', informationUri: 'https://github.com/syncgate/syncgate', semanticVersion: opts.version, rules } },
        results,
        columnKind: 'unicodeCodePoints',
      },
    ],
  };
}

function toResult(f: Finding, ruleIndex: number | undefined, lineOf: LineOf | undefined): unknown {
  const line = f.source !== undefined && f.doc !== undefined ? lineOf?.(f.source, f.doc, f.path) : undefined;
  const uri = f.source === undefined || f.source === '' || f.source.startsWith('<') ? 'stdin' : f.source;
  return {
    ruleId: f.policy,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
    level: LEVEL[f.mode],
    message: { text: `${f.object}: ${f.message} (${f.path}). Fix: ${f.remediation}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri }, ...(line !== undefined ? { region: { startLine: line } } : {}) },
        logicalLocations: [{ fullyQualifiedName: `${f.object}:${f.path}`, kind: 'object' }],
      },
    ],
    partialFingerprints: { 'syncgateFinding/v1': f.fingerprint ?? '' },
    ...(f.waived
      ? { suppressions: [{ kind: f.waived.by === 'annotation' ? 'inSource' : 'external', justification: f.waived.reason }] }
      : {}),
    properties: { mode: f.mode, severity: f.severity, path: f.path, object: f.object },
  };
}
