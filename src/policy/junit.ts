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

/** A JUnit XML report of `syncgate test`: one testsuite per test file, one testcase per expectation. */
export function testJunit(files: readonly { name: string; file: string; results: readonly { policy: string; resource: string; want: string; got: string; ok: boolean; detail: readonly string[] }[] }[]): string {
  const total = files.reduce((n, f) => n + f.results.length, 0);
  const failed = files.reduce((n, f) => n + f.results.filter((r) => !r.ok).length, 0);
  const suites = files.map((f) => {
    const fails = f.results.filter((r) => !r.ok).length;
    const cases = f.results.map((r) => {
      const open = `    <testcase classname="${esc(f.file)}" name="${esc(`${r.policy} ${r.resource} ${r.want}`)}"`;
      if (r.ok) return `${open}/>`;
      const body = [`want ${r.want}, got ${r.got}`, ...r.detail].join('\n');
      return `${open}>\n      <failure type="${esc(r.policy)}" message="${esc(`want ${r.want}, got ${r.got}`)}">${esc(body)}</failure>\n    </testcase>`;
    });
    return [`  <testsuite name="${esc(f.name)}" tests="${f.results.length}" failures="${fails}" errors="0" skipped="0">`, ...cases, '  </testsuite>'].join('\n');
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="syncgate test" tests="${total}" failures="${failed}">`, ...suites, '</testsuites>', ''].join('\n');
}
