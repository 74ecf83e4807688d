// Runs the CEL conformance cases its authors publish (google/cel-spec tests/simple/testdata, as
// packaged in @bufbuild/cel-spec) through the exact environment custom policies use: the Kubernetes
// extension functions, our split/regex overrides and the load-time name checks.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCelList, isCelMap, isCelUint, type CelValue } from '@bufbuild/cel';
import { tests as suite } from '@bufbuild/cel-spec/testdata/conformance.js';
import { compileExpression, fromCel, type CelVars } from '../../../../src/policy/cel/index.js';

interface Selection {
  sections: string[];
  skip: Record<string, string>;
  minimumCases: number;
  /** `<file>/<section>/<case>` → why it differs; the test fails if such a case starts passing. */
  expectedFailures: Record<string, string>;
}
const selection = JSON.parse(
  readFileSync(join(process.cwd(), 'test/fixtures/policy/cel/conformance/selection.json'), 'utf8'),
) as Selection;

type Expected = Record<string, unknown>;
interface Case {
  section: string;
  name: string;
  expr: string;
  value: Expected | undefined;
  error: boolean;
}

function skipReason(t: Record<string, unknown>): string | undefined {
  const expr = String(t['expr']);
  if (t['bindings'] !== undefined) return 'bindings';
  if (t['container'] !== undefined) return 'container';
  if (/TestAllTypes|NestedTestAllTypes|google\.protobuf\.|cel\.expr\./.test(expr)) return 'protobuf';
  const v = t['value'] as Expected | undefined;
  if (v && ('typeValue' in v || 'enumValue' in v || 'objectValue' in v)) return 'typeValue';
  if (v && JSON.stringify(v).includes('bytesValue')) return 'bytesValue';
  if (/\.\?|\[\?|\{\?|optional\./.test(expr)) return 'optionals';
  return undefined;
}

function collect(): { cases: Case[]; skipped: Record<string, number> } {
  const cases: Case[] = [];
  const skipped: Record<string, number> = {};
  for (const file of suite.suites ?? []) {
    if (!selection.sections.includes(file.name)) continue;
    for (const section of file.suites ?? []) {
      for (const t of section.tests ?? []) {
        const o = t.original as unknown as Record<string, unknown>;
        const reason = skipReason(o);
        if (reason) {
          if (!(reason in selection.skip)) throw new Error(`skip reason ${reason} is not documented`);
          skipped[reason] = (skipped[reason] ?? 0) + 1;
          continue;
        }
        const value = o['value'] as Expected | undefined;
        cases.push({
          section: `${file.name}/${section.name}`,
          name: String(o['name']),
          expr: String(o['expr']),
          value,
          error: o['evalError'] !== undefined,
        });
      }
    }
  }
  return { cases, skipped };
}

function matches(want: Expected, got: CelValue): boolean {
  if ('int64Value' in want) return got === BigInt(String(want['int64Value']));
  if ('uint64Value' in want) return isCelUint(got) && got.value === BigInt(String(want['uint64Value']));
  if ('doubleValue' in want) {
    const d = Number(want['doubleValue']);
    return typeof got === 'number' && (Number.isNaN(d) ? Number.isNaN(got) : got === d);
  }
  if ('stringValue' in want) return got === want['stringValue'];
  if ('boolValue' in want) return got === want['boolValue'];
  if ('nullValue' in want) return got === null;
  if ('listValue' in want) {
    const values = (want['listValue'] as { values?: Expected[] }).values ?? [];
    if (!isCelList(got)) return false;
    const items = [...got];
    return items.length === values.length && values.every((v, i) => matches(v, items[i] as CelValue));
  }
  if ('mapValue' in want) {
    const entries = (want['mapValue'] as { entries?: { key: Expected; value: Expected }[] }).entries ?? [];
    if (!isCelMap(got) || got.size !== entries.length) return false;
    return entries.every((e) => [...got].some(([k, v]) => matches(e.key, k) && matches(e.value, v)));
  }
  throw new Error(`unhandled expected value ${JSON.stringify(want)}`);
}

const vars: CelVars = {
  object: null,
  oldObject: null,
  request: null,
  params: null,
  namespaceObject: null,
  variables: new Map(),
};

function outcome(c: Case): string {
  let got: CelValue;
  try {
    got = compileExpression(c.expr).run(vars);
  } catch (e) {
    return c.error ? 'pass' : `error: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (c.error)
    return `want an error, got ${JSON.stringify(fromCel(got), (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`;
  // A case without an expected value expects `true`.
  return matches(c.value ?? { boolValue: true }, got)
    ? 'pass'
    : `got ${JSON.stringify(fromCel(got), (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`;
}

describe('CEL conformance (google/cel-spec simple tests)', () => {
  const { cases, skipped } = collect();

  test(`enough cases are selected (${String(cases.length)}) and every skip is documented`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(selection.minimumCases);
    expect(Object.keys(skipped).every((k) => k in selection.skip)).toBe(true);
  });

  test.each(selection.sections)('%s', (section) => {
    const inSection = cases.filter((c) => c.section.startsWith(`${section}/`));
    const results = inSection.map((c) => ({
      id: `${c.section}/${c.name}`,
      expr: c.expr,
      outcome: outcome(c),
    }));
    const unexpected = results.filter((r) => r.outcome !== 'pass' && !(r.id in selection.expectedFailures));
    const nowPassing = results
      .filter((r) => r.outcome === 'pass' && r.id in selection.expectedFailures)
      .map((r) => r.id);
    expect(unexpected).toEqual([]);
    expect(nowPassing).toEqual([]);
    expect(inSection.length).toBeGreaterThan(0);
  });
});
