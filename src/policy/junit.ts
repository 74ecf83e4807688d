import type { Finding, ScanResult } from './types.js';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A JUnit XML report: one testcase per object with findings; unwaived enforce findings are
 * failures, warn/audit/waived findings go to system-out (CI shows them without failing).
 */
export function toJunit(result: ScanResult, objects: readonly { id: string; source: string }[]): string {
  const byObject = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const list = byObject.get(f.object);
    if (list) list.push(f);
    else byObject.set(f.object, [f]);
  }
  const cases: string[] = [];
  let failures = 0;
  for (const o of objects) {
    const fs = byObject.get(o.id) ?? [];
    const fails = fs.filter((f) => f.mode === 'enforce' && !f.waived);
    failures += fails.length ? 1 : 0;
    const body = [
      ...fails.map((f) => `      <failure type="${esc(f.policy)}" message="${esc(`${f.policy}: ${f.message}`)}">${esc(`${f.path}\nfix: ${f.remediation}`)}</failure>`),
      ...(fs.length > fails.length
        ? [`      <system-out>${esc(fs.filter((f) => !fails.includes(f)).map((f) => `${f.waived ? `waived (${f.waived.reason})` : f.mode}: ${f.policy} — ${f.path} — ${f.message}`).join('\n'))}</system-out>`]
        : []),
    ];
    const open = `    <testcase classname="${esc(o.source)}" name="${esc(o.id)}"`;
    cases.push(body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`);
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="syncgate" tests="${objects.length}" failures="${failures}">`,
    `  <testsuite name="syncgate scan" tests="${objects.length}" failures="${failures}" errors="0" skipped="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
