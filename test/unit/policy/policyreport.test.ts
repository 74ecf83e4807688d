// `--format policyreport`: wgpolicyk8s.io/v1alpha2 PolicyReport and ClusterPolicyReport objects,
// validated against the openAPIV3Schema of the CRDs Kyverno ships
// (test/fixtures/policy/policyreport, see SOURCES.md); and `scan --baseline`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvMod from 'ajv';
import { parse } from 'yaml';
import { isSyncgateError } from '../../../src/errors/index.js';
import { applyBaseline, readBaseline, reportDecision, toPolicyReports } from '../../../src/policy/index.js';
import { config, res, scanObjects } from './harness.js';

// CJS module: under nodenext its default export is the module object.
const Ajv: any = (AjvMod as any).default ?? AjvMod;

function crdSchema(file: string): object {
  const crd = parse(readFileSync(join('test/fixtures/policy/policyreport', file), 'utf8'));
  const v = crd.spec.versions.find((x: { name: string }) => x.name === 'v1alpha2');
  return v.schema.openAPIV3Schema;
}
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
const validators: Record<string, any> = {
  PolicyReport: ajv.compile(crdSchema('wgpolicyk8s.io_policyreports.yaml')),
  ClusterPolicyReport: ajv.compile(crdSchema('wgpolicyk8s.io_clusterpolicyreports.yaml')),
};

const privileged = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team-a' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'r.example/x:1', securityContext: { privileged: true } }] } } } };
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team-b' }, spec: { containers: [] } };
const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'everything' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };
const quiet = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team-c' }, data: { a: 'b' } };

test('reports per namespace and a ClusterPolicyReport validate against the wgpolicyk8s CRD schemas', () => {
  const cfg = config({}, [{ policies: ['hygiene/naked-pod'], match: {}, reason: 'legacy pod, SEC-7' }]);
  const objects = [privileged, pod, role, quiet].map((o) => res(o));
  const scan = scanObjects(objects, cfg);
  const reports = toPolicyReports(scan, objects, { name: 'shop', namespace: 'team-a', now: new Date('2026-06-01T00:00:00Z') });
  expect(reports.map((r) => `${r['kind'] as string} ${JSON.stringify(r['metadata'])}`)).toEqual([
    'ClusterPolicyReport {"name":"syncgate-shop","labels":{"app.kubernetes.io/managed-by":"syncgate"}}',
    'PolicyReport {"name":"syncgate-shop","namespace":"team-a","labels":{"app.kubernetes.io/managed-by":"syncgate"}}',
    'PolicyReport {"name":"syncgate-shop","namespace":"team-b","labels":{"app.kubernetes.io/managed-by":"syncgate"}}',
    'PolicyReport {"name":"syncgate-shop","namespace":"team-c","labels":{"app.kubernetes.io/managed-by":"syncgate"}}',
  ]);
  for (const r of reports) {
    const validate = validators[r['kind'] as string];
    const ok = validate(r);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  }
  const teamA = reports[1] as any;
  const priv = teamA.results.find((x: any) => x.policy === 'pss-baseline/privileged');
  expect(priv).toMatchObject({
    rule: 'privileged', category: 'pss-baseline', severity: 'high', result: 'fail', source: 'syncgate', scored: true, timestamp: { seconds: 1780272000, nanos: 0 },
    resources: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'team-a' }],
    properties: { path: 'spec.template.spec.containers[0].securityContext.privileged', mode: 'enforce' },
  });
  expect(teamA.summary.fail).toBe(teamA.results.filter((x: any) => x.result === 'fail').length);
  expect(teamA.summary.warn).toBeGreaterThan(0);
  const naked = (reports[2] as any).results.find((x: any) => x.policy === 'hygiene/naked-pod');
  expect(naked).toMatchObject({ result: 'skip', properties: { waivedBy: 'exception', waiverReason: 'legacy pod, SEC-7' } });
  expect((reports[0] as any).results.map((x: any) => x.policy)).toContain('rbac/wildcard-verbs');
  expect((reports[3] as any).results).toEqual([]);
  expect((reports[3] as any).summary).toEqual({ pass: 0, fail: 0, warn: 0, error: 0, skip: 0 });
});

test('a report that breaks the schema is caught (the validator is not vacuous)', () => {
  const validate = validators['PolicyReport'];
  expect(validate({ apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: {}, results: [{ policy: 'x', result: 'denied' }] })).toBe(false);
  expect(validate({ apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: {}, results: [{ result: 'fail' }] })).toBe(false);
});

describe('baseline', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baseline-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('only findings that are not in the baseline are reported and decide', () => {
    const cfg = config();
    const before = scanObjects([privileged], cfg);
    const file = join(dir, 'previous.json');
    writeFileSync(file, JSON.stringify({ findings: before.findings }));
    const second = { ...privileged, metadata: { name: 'api', namespace: 'team-a' } };
    const now = scanObjects([privileged, second], cfg);
    const { result, known } = applyBaseline(now, readBaseline(file));
    expect(known).toBe(before.findings.length);
    expect(new Set(result.findings.map((f) => f.object))).toEqual(new Set(['Deployment/team-a/api']));
    expect(reportDecision(result).refused).toBe(true);
    expect(result.notices.map((n) => n.message)).toContain(`${before.findings.length} findings already in the baseline not reported`);
    const same = applyBaseline(scanObjects([privileged], cfg), readBaseline(file)).result;
    expect(same.findings).toEqual([]);
    expect(reportDecision(same).refused).toBe(false);
  });

  test.each([
    ['missing.json', null, /^missing\.json: cannot read: ENOENT$/],
    ['text.json', 'not json', /^text\.json: not JSON: give the output of syncgate scan --format json$/],
    ['list.json', '[]', /^list\.json: no findings list/],
    ['nofp.json', '{"findings":[{"policy":"x"}]}', /^nofp\.json: findings\[0\]: no fingerprint$/],
  ])('%s is refused with POLICY_BASELINE_INVALID', (name, content, message) => {
    const file = join(dir, name);
    if (content !== null) writeFileSync(file, content);
    try {
      readBaseline(file);
      throw new Error('no error');
    } catch (e) {
      expect(isSyncgateError(e) && e.code).toBe('POLICY_BASELINE_INVALID');
      expect((e as Error).message.replace(`${dir}/`, '')).toMatch(message);
    }
  });
});
