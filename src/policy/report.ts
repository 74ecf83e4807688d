import type { Decision, DecisionCounts, Finding, ScanResult } from './types.js';

/** Lines of findings the short report shows before "… and N more". */
export const REPORT_LINES = 20;

/** `Kind/ns/name: policy — field — fix` */
export function findingLine(f: Finding): string {
  return `${f.object}: ${f.policy} — ${f.path} — ${f.message}; fix: ${f.remediation}`;
}

function tally(findings: readonly Finding[]): string {
  const by = new Map<string, number>();
  for (const f of findings) by.set(f.policy, (by.get(f.policy) ?? 0) + 1);
  return [...by.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([p, n]) => (n > 1 ? `${p} ×${n}` : p))
    .join(', ');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What a refusal refused: a render (render, generate, flux build), manifests given as files (`scan`), one admitted object (webhook). */
export type RefusalSubject = 'render' | 'manifests' | 'object';

/** Builds the decision and its Argo CD-sized report from a scan. */
export function reportDecision(result: ScanResult, subject: RefusalSubject = 'render'): Decision {
  const enforce = result.findings.filter((f) => !f.waived && f.mode === 'enforce');
  const warn = result.findings.filter((f) => !f.waived && f.mode === 'warn');
  const audit = result.findings.filter((f) => !f.waived && f.mode === 'audit').length;
  const waived = result.findings.filter((f) => f.waived).length;
  const objects = new Set(enforce.map((f) => f.object));
  const counts: DecisionCounts = { enforce: enforce.length, warn: warn.length, audit, waived, refusedObjects: objects.size };
  const warnings = [
    ...warn.map((f) => `${f.object}: ${f.policy} — ${f.path} — ${f.message}`),
    ...result.notices.filter((n) => n.level === 'warn').map((n) => `notice: ${n.message}`),
  ];
  const extra = [warn.length ? plural(warn.length, 'warning') : '', waived ? `${waived} waived` : '', audit ? `${audit} audit` : ''].filter(Boolean);
  if (enforce.length === 0) {
    return {
      refused: false,
      summary: `${plural(result.scanned, 'resource')} scanned: no enforced findings${extra.length ? ` (${extra.join(', ')})` : ''}`,
      report: '',
      warnings,
      counts,
    };
  }
  const summary = `syncgate refused the ${subject}: ${plural(enforce.length, 'finding')} in ${plural(objects.size, 'object')} (${tally(enforce)})`;
  // Findings are sorted by object, so consecutive lines group by object.
  const lines = enforce.slice(0, REPORT_LINES).map(findingLine);
  if (enforce.length > REPORT_LINES) lines.push(`… and ${enforce.length - REPORT_LINES} more (full report in the syncgate JSON log)`);
  return { refused: true, summary, report: [summary, ...lines].join('\n'), warnings, counts };
}
