// Modes, thresholds, the decision and its report, deterministic order, fail-closed evaluation,
// SARIF 2.1.0 (validated against the schema) and JUnit output.
import { readFileSync } from 'node:fs';
import AjvDraft04Mod from 'ajv-draft-04';
import addFormatsMod from 'ajv-formats';
import { gateMetrics } from '../../../src/log/metrics.js';
import { activePolicies, decide, modeFor, scanSync, toJunit, toSarif, BUILTIN_POLICIES } from '../../../src/policy/index.js';
import { isSyncgateError } from '../../../src/errors/index.js';
import { config, context, NOW, res, scanObjects } from './harness.js';

const privileged = (name: string, ns = 'team-a') => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
  spec: { template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'r.example/app:1', securityContext: { privileged: true } }] } } },
});

describe('modes', () => {
  const cfg = config({ enforce: { severityAtLeast: 'medium' }, modes: { 'hygiene/*': 'audit', 'hygiene/naked-pod': 'enforce', 'pss-*': 'warn', 'pss-baseline/*': 'enforce' } });
  const byId = (id: string) => BUILTIN_POLICIES.find((p) => p.id === id)!;
  test.each([
    ['hygiene/naked-pod', 'enforce'],
    ['hygiene/resources', 'audit'],
    ['pss-baseline/privileged', 'enforce'],
    ['pss-restricted/seccomp', 'warn'],
    ['supply-chain/image-tag', 'enforce'],
  ])('%s → %s', (id, mode) => {
    expect(modeFor(byId(id), cfg)).toBe(mode);
  });
  test('threshold: below → warn, at/above → enforce', () => {
    const c = config({ enforce: { severityAtLeast: 'critical' } });
    expect(modeFor(byId('rbac/system-masters-subject'), c)).toBe('enforce');
    expect(modeFor(byId('rbac/cluster-admin-binding'), c)).toBe('warn');
  });
  test('a fixed mode (a VAP binding) wins', () => {
    expect(modeFor({ id: 'custom/x', severity: 'low', fixedMode: 'enforce' }, config({ modes: { '*': 'audit' } }))).toBe('enforce');
  });
  test('disabled globs and packs decide what runs; pss-restricted brings the baseline', () => {
    const ids = activePolicies(config({ packs: ['pss-restricted'], disabled: ['pss-baseline/sys*'] })).map((a) => a.policy.id);
    expect(ids).toContain('pss-baseline/privileged');
    expect(ids).toContain('pss-restricted/seccomp');
    expect(ids).not.toContain('pss-baseline/sysctls');
    expect(ids.some((i) => i.startsWith('rbac/'))).toBe(false);
  });
});

describe('decision and report', () => {
  test('one enforce finding refuses; summary, grouped lines, cap', () => {
    const objs = Array.from({ length: 25 }, (_, i) => privileged(`web-${String(i).padStart(2, '0')}`));
    const r = scanObjects(objs, config({ packs: ['pss-baseline'] }));
    const d = decide(r, config());
    expect(d.refused).toBe(true);
    expect(d.summary).toBe('syncgate refused the render: 25 findings in 25 objects (pss-baseline/privileged ×25)');
    const lines = d.report.split('\n');
    expect(lines[0]).toBe(d.summary);
    expect(lines[1]).toBe('Deployment/team-a/web-00: pss-baseline/privileged — spec.template.spec.containers[0].securityContext.privileged — container "app" must not set securityContext.privileged=true; fix: remove securityContext.privileged or set it to false');
    expect(lines).toHaveLength(22);
    expect(lines[21]).toBe('… and 5 more (full report in the syncgate JSON log)');
  });

  test('warn mode renders and warns; audit is silent; waived does not count', () => {
    const warnCfg = config({ packs: ['pss-baseline'], modes: { 'pss-baseline/privileged': 'warn' } });
    const d = decide(scanObjects([privileged('web')], warnCfg), warnCfg);
    expect(d.refused).toBe(false);
    expect(d.warnings).toEqual(['Deployment/team-a/web: pss-baseline/privileged — spec.template.spec.containers[0].securityContext.privileged — container "app" must not set securityContext.privileged=true']);
    expect(d.summary).toBe('1 resource scanned: no enforced findings (1 warning)');
    expect(d.report).toBe(''); // doors print the report only when refused, where it opens with the summary
    const auditCfg = config({ packs: ['pss-baseline'], modes: { '*': 'audit' } });
    const a = decide(scanObjects([privileged('web')], auditCfg), auditCfg);
    expect(a).toMatchObject({ refused: false, warnings: [], counts: { audit: 1 } });
    const exCfg = config({ packs: ['pss-baseline'] }, [{ policies: ['pss-baseline/privileged'], match: { names: ['web'] }, reason: 'r' }]);
    expect(decide(scanObjects([privileged('web')], exCfg), exCfg)).toMatchObject({ refused: false, counts: { waived: 1, enforce: 0 } });
  });

  test('exception object matchers: namespace, app, label, kind', () => {
    const obj = { ...privileged('web', 'team-b'), metadata: { name: 'web', namespace: 'team-b', labels: { legacy: 'yes' } } };
    const cases: [Record<string, unknown>, boolean][] = [
      [{ namespaces: ['team-*'] }, true],
      [{ namespaces: ['team-a'] }, false],
      [{ apps: ['shop'] }, true],
      [{ apps: ['other'] }, false],
      [{ labels: { legacy: 'yes' } }, true],
      [{ labels: { legacy: 'no' } }, false],
      [{ kinds: ['StatefulSet'] }, false],
      [{ projects: ['team-a'], names: ['w?b'] }, true],
    ];
    for (const [match, waived] of cases) {
      const r = scanObjects([obj], config({ packs: ['pss-baseline'] }, [{ policies: ['*'], match, reason: 'r' }]));
      expect([match, r.findings[0]?.waived !== undefined]).toEqual([match, waived]);
    }
  });

  describe('an exception scoped to namespaces never covers a cluster-scoped object', () => {
    const readSecrets = { apiGroups: [''], resources: ['secrets'], verbs: ['*'] };
    const roleOf = (kind: string, meta: Record<string, unknown> = {}) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'reader', ...meta }, rules: [readSecrets] });
    // The destination namespace is team-a. Before, a ClusterRole took it (or the one in its YAML) and the three
    // ClusterRole rows scoped to namespaces were waived.
    test.each<[string, Record<string, unknown>, Record<string, unknown>, boolean]>([
      ['ClusterRole', {}, { namespaces: ['team-a'] }, false],
      ['ClusterRole', {}, { namespaces: ['*'] }, false],
      ['ClusterRole', { namespace: 'team-a' }, { namespaces: ['team-a'] }, false],
      ['ClusterRole', {}, { kinds: ['ClusterRole'], names: ['reader'] }, true],
      ['Role', {}, { namespaces: ['team-a'] }, true],
      ['Role', { namespace: 'team-b' }, { namespaces: ['team-a'] }, false],
    ])('%s %j, match %j → waived %s', (kind, meta, match, waived) => {
      const r = scanObjects([roleOf(kind, meta)], config({ packs: ['rbac'] }, [{ policies: ['rbac/*'], match, reason: 'r' }]));
      expect(r.findings.length).toBeGreaterThan(0);
      expect(r.findings.map((f) => f.waived !== undefined)).toEqual(r.findings.map(() => waived));
    });
  });

  test('findings are sorted the same whatever the input order', () => {
    const objs = [privileged('b'), privileged('a'), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team-a' }, spec: { containers: [] } }];
    const cfg = config();
    const one = scanObjects(objs, cfg).findings.map((f) => `${f.object} ${f.policy} ${f.path}`);
    const two = scanObjects([...objs].reverse(), cfg).findings.map((f) => `${f.object} ${f.policy} ${f.path}`);
    expect(one).toEqual(two);
    expect(one).toEqual([...one].sort());
  });

  test('a policy that throws fails closed with POLICY_EVAL_FAILED naming the object', () => {
    const hostile = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team-a' }, spec: {} };
    Object.defineProperty(hostile.spec, 'containers', { get: () => { throw new Error('boom'); }, enumerable: true });
    let err: unknown;
    try {
      scanSync({ resources: [res(hostile)], config: config({ packs: ['pss-baseline'] }), context: context(), scope: 'app', now: NOW });
    } catch (e) {
      err = e;
    }
    expect(isSyncgateError(err, 'POLICY_EVAL_FAILED')).toBe(true);
    expect((err as Error).message).toBe('Pod/team-a/p: pss-baseline/host-process: boom');
  });

  test('malformed objects are judged, never crash', () => {
    const weird = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: 'x' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [null, 1, { name: 3, securityContext: [] }], volumes: 'x', securityContext: { sysctls: [null] } } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [null, { verbs: 'x' }] },
    ];
    expect(() => scanObjects(weird, config())).not.toThrow();
  });

  test('metrics count unwaived findings by policy and mode', async () => {
    const before = (await gateMetrics().findings.get()).values.find((v) => v.labels.policy === 'pss-baseline/privileged' && v.labels.mode === 'enforce')?.value ?? 0;
    scanObjects([privileged('m1'), privileged('m2')], config({ packs: ['pss-baseline'] }));
    const after = (await gateMetrics().findings.get()).values.find((v) => v.labels.policy === 'pss-baseline/privileged' && v.labels.mode === 'enforce')?.value ?? 0;
    expect(after - before).toBe(2);
  });
});

// CJS modules: under nodenext their default export is the module object.
const AjvDraft04: any = (AjvDraft04Mod as any).default ?? AjvDraft04Mod;
const addFormats: any = (addFormatsMod as any).default ?? addFormatsMod;

describe('SARIF', () => {
  const schema = JSON.parse(readFileSync('test/fixtures/policy/sarif-schema-2.1.0.json', 'utf8'));
  const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false }) // the 2.1.0 schema's language pattern is not valid in unicode mode;
  addFormats(ajv);
  const validate = ajv.compile(schema);

  test('a scan with enforce, warn and waived findings validates against the SARIF 2.1.0 schema', () => {
    const cfg = config({}, [{ policies: ['hygiene/naked-pod'], match: {}, reason: 'ok' }]);
    const objs = [privileged('web'), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team-a' }, spec: { containers: [] } }];
    const r = scanObjects(objs, cfg);
    const log = toSarif(r, cfg, { version: '0.1.0', lineOf: (_s, doc) => doc + 1 }) as any;
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.rules.length).toBe(activePolicies(cfg).length);
    const priv = run.results.find((x: any) => x.ruleId === 'pss-baseline/privileged');
    expect(priv).toMatchObject({ level: 'error', locations: [{ physicalLocation: { artifactLocation: { uri: 'app.yaml' }, region: { startLine: 1 } } }] });
    expect(priv.partialFingerprints['syncgateFinding/v1']).toMatch(/^[0-9a-f]{16}$/);
    expect(run.results.find((x: any) => x.ruleId === 'hygiene/naked-pod').suppressions).toEqual([{ kind: 'external', justification: 'ok' }]);
    expect(run.tool.driver.rules[0].properties['security-severity']).toMatch(/^\d+\.\d$/);
  });

  test('an invalid SARIF document is rejected by the same validator (the check can fail)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
  });
});

describe('JUnit', () => {
  test('one testcase per object, enforce findings as failures', () => {
    const cfg = config({ packs: ['pss-baseline', 'hygiene'] });
    const objs = [privileged('web'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team-a' } }];
    const xml = toJunit(scanObjects(objs, cfg), [{ id: 'Deployment/team-a/web', source: 'a.yaml' }, { id: 'ConfigMap/team-a/c', source: 'a.yaml' }]);
    expect(xml).toContain('<testsuites name="syncgate" tests="2" failures="1">');
    expect(xml).toContain('<failure type="pss-baseline/privileged" message="pss-baseline/privileged: container &quot;app&quot; must not set securityContext.privileged=true">');
    expect(xml).toContain('<testcase classname="a.yaml" name="ConfigMap/team-a/c"/>');
  });
});
