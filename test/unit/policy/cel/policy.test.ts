import { afterAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { loadCustomPolicies } from '../../../../src/policy/cel/index.js';
import { cleanup, deployment, DEPLOYMENTS, load, run, vap } from './harness.js';

afterAll(cleanup);

const FIXTURES = join(process.cwd(), 'test/fixtures/policy/cel');

describe('the shipped example (ConfigMap param, variables, messageExpression, matchConditions)', () => {
  const [policy] = loadCustomPolicies([join(FIXTURES, 'basic')]);

  test('metadata comes from the VAP, its annotations and the binding', () => {
    expect(policy).toMatchObject({
      id: 'custom/replica-limit',
      pack: 'custom',
      name: 'replica-limit',
      severity: 'medium',
      rule: 'replicas exceed the limit',
      remediation: 'lower spec.replicas to the limit in the replica-limits ConfigMap',
      scope: 'object',
      fixedMode: 'enforce',
    });
  });

  test.each([
    [3, []],
    [5, []],
    [6, [{ path: 'validations[0]', message: 'replicas 6 exceed the limit 5' }]],
  ])('replicas %d', (replicas, want) => {
    expect(run(policy!, deployment('web', { replicas }))).toEqual(want);
  });

  test('a matchCondition that is false skips the object', () => {
    expect(
      run(policy!, deployment('web', { replicas: 9, labels: { 'syncgate.dev/exempt': 'yes' } })),
    ).toEqual([]);
  });

  test('objects outside the resource rules are not checked', () => {
    const sts = { ...deployment('db', { replicas: 9 }), kind: 'StatefulSet' };
    expect(run(policy!, sts)).toEqual([]);
  });
});

describe('params', () => {
  const cm = (name: string, max: string, extra = '') => `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
${extra}data:
  max: "${max}"
`;
  const spec = `  paramKind: {apiVersion: v1, kind: ConfigMap}
${DEPLOYMENTS}
  validations:
    - expression: "object.spec.replicas <= int(params.data.max)"
      messageExpression: "'max ' + params.data.max"`;

  test('paramRef by name', () => {
    const [p] = load(
      vap(
        'by-name',
        spec,
        'validationActions: [Deny]\nparamRef: {name: limits, parameterNotFoundAction: Deny}',
      ) + cm('limits', '2'),
    );
    expect(run(p!, deployment('a', { replicas: 2 }))).toEqual([]);
    expect(run(p!, deployment('a', { replicas: 3 }))).toEqual([{ path: 'validations[0]', message: 'max 2' }]);
  });

  test('paramRef by selector evaluates every matching param', () => {
    const yaml =
      vap(
        'by-selector',
        spec,
        'validationActions: [Deny]\nparamRef:\n  selector: {matchLabels: {tier: web}}\n  parameterNotFoundAction: Deny',
      ) +
      cm('one', '4', '  labels: {tier: web}\n') +
      cm('two', '2', '  labels: {tier: web}\n') +
      cm('other', '1', '  labels: {tier: db}\n');
    const [p] = load(yaml);
    expect(run(p!, deployment('a', { replicas: 2 }))).toEqual([]);
    expect(run(p!, deployment('a', { replicas: 3 }))).toEqual([{ path: 'validations[0]', message: 'max 2' }]);
    expect(run(p!, deployment('a', { replicas: 5 }))).toEqual([
      { path: 'validations[0]', message: 'max 4' },
      { path: 'validations[0]', message: 'max 2' },
    ]);
  });

  test('paramRef without a namespace uses params in the object namespace', () => {
    const yaml =
      vap(
        'ns-param',
        spec,
        'validationActions: [Deny]\nparamRef: {name: limits, parameterNotFoundAction: Deny}',
      ) +
      cm('limits', '1', '  namespace: team-a\n') +
      cm('limits', '9', '  namespace: team-b\n');
    const [p] = load(yaml);
    expect(run(p!, deployment('a', { replicas: 3 }), [], 'team-a')).toEqual([
      { path: 'validations[0]', message: 'max 1' },
    ]);
    expect(run(p!, deployment('a', { replicas: 3 }), [], 'team-b')).toEqual([]);
    expect(run(p!, deployment('a', { replicas: 3 }), [], 'team-c')).toEqual([
      { path: 'paramRef', message: 'failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction' },
    ]);
  });

  test('parameterNotFoundAction Allow skips when no param matches', () => {
    const [p] = load(
      vap(
        'allow',
        spec,
        'validationActions: [Deny]\nparamRef: {name: absent, parameterNotFoundAction: Allow}',
      ),
    );
    expect(run(p!, deployment('a', { replicas: 30 }))).toEqual([]);
  });

  test('parameterNotFoundAction Allow with a selector that matches nothing skips', () => {
    const [p] = load(
      vap(
        'allow-sel',
        spec,
        'validationActions: [Deny]\nparamRef:\n  selector: {matchLabels: {x: z}}\n  parameterNotFoundAction: Allow',
      ) + cm('c', '1'),
    );
    expect(run(p!, deployment('a', { replicas: 30 }))).toEqual([]);
  });

  test('selector with Deny and no match refuses at evaluation', () => {
    const [p] = load(
      vap(
        'deny-sel',
        spec,
        'validationActions: [Deny]\nparamRef:\n  selector: {matchLabels: {x: z}}\n  parameterNotFoundAction: Deny',
      ) + cm('c', '1'),
    );
    expect(run(p!, deployment('a'))).toEqual([
      { path: 'paramRef', message: 'failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction' },
    ]);
  });

  test('params of another kind referenced by paramKind', () => {
    const yaml =
      vap(
        'crd-param',
        `  paramKind: {apiVersion: example.com/v1, kind: ReplicaLimit}
${DEPLOYMENTS}
  validations:
    - expression: "object.spec.replicas <= params.max"`,
        'validationActions: [Deny]\nparamRef: {name: default, parameterNotFoundAction: Deny}',
      ) + `---\napiVersion: example.com/v1\nkind: ReplicaLimit\nmetadata: {name: default}\nmax: 2\n`;
    const [p] = load(yaml);
    expect(run(p!, deployment('a', { replicas: 3 }))).toEqual([
      { path: 'validations[0]', message: 'failed expression: object.spec.replicas <= params.max' },
    ]);
  });
});

describe('messages', () => {
  test.each([
    [
      'messageExpression wins',
      `message: static\n      messageExpression: "'dynamic ' + object.metadata.name"`,
      'dynamic web',
    ],
    ['message when no messageExpression', 'message: static', 'static'],
    ['failed expression when neither', '', 'failed expression: false'],
    [
      'message when messageExpression errors',
      `message: static\n      messageExpression: "object.nope"`,
      'static',
    ],
    [
      'message when messageExpression is not a string',
      `message: static\n      messageExpression: "1"`,
      'static',
    ],
    [
      'message when messageExpression is multi-line',
      `message: static\n      messageExpression: "'a\\\\nb'"`,
      'static',
    ],
    ['message when messageExpression is empty', `message: static\n      messageExpression: "''"`, 'static'],
  ])('%s', (_, fields, want) => {
    const [p] = load(
      vap(
        'm',
        `${DEPLOYMENTS}\n  validations:\n    - expression: "false"\n${fields ? `      ${fields}` : ''}`,
      ),
    );
    expect(run(p!, deployment('web'))).toEqual([{ path: 'validations[0]', message: want }]);
  });

  test('messageExpression is not evaluated for Secrets, so no value leaks into a finding', () => {
    const [p] = load(
      vap(
        's',
        `  matchConstraints:\n    resourceRules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["secrets"]}]\n  validations:\n    - expression: "false"\n      message: secret refused\n      messageExpression: "object.data.password"\n    - expression: "quantity(object.data.password) == quantity('1')"`,
      ),
    );
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { password: 'hunter2-plaintext' },
    };
    const v = run(p!, secret);
    expect(v).toEqual([
      { path: 'validations[0]', message: 'secret refused' },
      {
        path: 'validations[1]',
        message:
          "expression 'quantity(object.data.password) == quantity('1')' resulted in error: evaluation error (details withheld for Secret objects)",
      },
    ]);
    expect(JSON.stringify(v)).not.toContain('hunter2');
  });
});

describe('variables', () => {
  test('are evaluated lazily: an erroring variable that no validation reads does no harm', () => {
    const [p] = load(
      vap(
        'v',
        `${DEPLOYMENTS}
  variables:
    - name: broken
      expression: "object.spec.nope.deeper"
    - name: images
      expression: "object.spec.template.spec.containers.map(c, c.image)"
    - name: untagged
      expression: "variables.images.filter(i, !i.contains(':'))"
  validations:
    - expression: "size(variables.untagged) == 0"
      messageExpression: "'untagged: ' + variables.untagged.join(', ')"`,
      ),
    );
    expect(run(p!, deployment('a'))).toEqual([]);
    expect(run(p!, deployment('a', { image: 'busybox' }))).toEqual([
      { path: 'validations[0]', message: 'untagged: busybox' },
    ]);
  });

  test('a validation reading an erroring variable fails under failurePolicy Fail', () => {
    const [p] = load(
      vap(
        'v2',
        `${DEPLOYMENTS}\n  variables:\n    - {name: x, expression: "object.spec.nope"}\n  validations:\n    - expression: "variables.x == 1"`,
      ),
    );
    expect(run(p!, deployment('a'))).toEqual([
      {
        path: 'validations[0]',
        message: 'expression \'variables.x == 1\' resulted in error: composited variable "x" fails to evaluate: no such key: nope',
      },
    ]);
  });
});

describe('failurePolicy and matchConditions errors', () => {
  const spec = (fp: string) => `${DEPLOYMENTS}
  failurePolicy: ${fp}
  matchConditions:
    - name: has-team
      expression: "object.metadata.labels.team != ''"
  validations:
    - expression: "object.spec.paused == true"
      message: must be paused`;

  test.each([
    [
      'Fail',
      { labels: { team: 'x' } },
      [
        {
          path: 'validations[0]',
          message: "expression 'object.spec.paused == true' resulted in error: no such key: paused",
        },
      ],
    ],
    ['Ignore', { labels: { team: 'x' } }, []],
    [
      'Fail',
      {},
      [
        {
          path: 'matchConditions[has-team]',
          message: "expression 'object.metadata.labels.team != ''' resulted in error: no such key: labels",
        },
      ],
    ],
    ['Ignore', {}, []],
  ])('failurePolicy %s with %j', (fp, extra, want) => {
    const [p] = load(vap(`fp-${fp.toLowerCase()}`, spec(fp)));
    expect(run(p!, deployment('a', extra))).toEqual(want);
  });

  test('a non-bool validation result is an error, not a pass', () => {
    const [p] = load(vap('nb', `${DEPLOYMENTS}\n  validations:\n    - expression: "object.metadata.name"`));
    expect(run(p!, deployment('a'))).toEqual([
      {
        path: 'validations[0]',
        message: "expression 'object.metadata.name' resulted in error: expression returned string, want bool",
      },
    ]);
  });
});

describe('validationActions', () => {
  test.each([
    ['[Deny]', 'enforce'],
    ['[Warn]', 'warn'],
    ['[Audit]', 'audit'],
    ['[Warn, Audit]', 'warn'],
    ['[Deny, Audit]', 'enforce'],
    ['[Deny, Warn]', 'enforce'],
  ])('%s → %s', (actions, mode) => {
    const [p] = load(
      vap('a', `${DEPLOYMENTS}\n  validations: [{expression: "true"}]`, `validationActions: ${actions}`),
    );
    expect(p!.fixedMode).toBe(mode);
  });

  test('several bindings give one policy each, named by binding', () => {
    const yaml =
      vap(
        'multi',
        `${DEPLOYMENTS}\n  validations: [{expression: "object.spec.replicas < 3"}]`,
        'validationActions: [Warn]',
      ) +
      `---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: prod}
spec:
  policyName: multi
  validationActions: [Deny]
  matchResources:
    namespaceSelector: {matchLabels: {env: prod}}
`;
    const ps = load(yaml);
    expect(ps.map((p) => [p.id, p.fixedMode])).toEqual([
      ['custom/multi/multi-binding', 'warn'],
      ['custom/multi/prod', 'enforce'],
    ]);
    const prodNs = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a', labels: { env: 'prod' } },
    };
    expect(run(ps[1]!, deployment('a', { replicas: 5 }))).toEqual([]);
    expect(run(ps[1]!, deployment('a', { replicas: 5 }), [prodNs])).toHaveLength(1);
    expect(run(ps[0]!, deployment('a', { replicas: 5 }))).toHaveLength(1);
  });
});

describe('matching', () => {
  const rules = (r: string, extra = '') =>
    `  matchConstraints:\n    resourceRules:\n${r}\n${extra}  validations: [{expression: "false", message: hit}]`;
  const hit = [{ path: 'validations[0]', message: 'hit' }];
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { app: 'web', tier: 'front' } },
    spec: {},
  };
  const ns = (labels: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'team-a', labels },
  });

  test.each([
    [
      'wildcards',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      '',
      pod,
      [],
      hit,
    ],
    [
      'core group pods',
      `      - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}`,
      '',
      pod,
      [],
      hit,
    ],
    [
      'UPDATE only never matches a render',
      `      - {apiGroups: [""], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["pods"]}`,
      '',
      pod,
      [],
      [],
    ],
    [
      'other group',
      `      - {apiGroups: ["apps"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      '',
      pod,
      [],
      [],
    ],
    [
      'other version',
      `      - {apiGroups: [""], apiVersions: ["v2"], operations: ["*"], resources: ["pods"]}`,
      '',
      pod,
      [],
      [],
    ],
    [
      'subresource rule only',
      `      - {apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["pods/status"]}`,
      '',
      pod,
      [],
      [],
    ],
    [
      '*/* includes main resources',
      `      - {apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["*/*"]}`,
      '',
      pod,
      [],
      hit,
    ],
    [
      'resourceNames hit',
      `      - {apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["pods"], resourceNames: ["p"]}`,
      '',
      pod,
      [],
      hit,
    ],
    [
      'resourceNames miss',
      `      - {apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["pods"], resourceNames: ["q"]}`,
      '',
      pod,
      [],
      [],
    ],
    [
      'scope Cluster misses a pod',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"], scope: Cluster}`,
      '',
      pod,
      [],
      [],
    ],
    [
      'scope Namespaced hits a pod',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"], scope: Namespaced}`,
      '',
      pod,
      [],
      hit,
    ],
    [
      'excludeResourceRules',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      `    excludeResourceRules:\n      - {apiGroups: [""], apiVersions: ["*"], operations: ["*"], resources: ["pods"]}\n`,
      pod,
      [],
      [],
    ],
    [
      'objectSelector matchLabels hit',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      `    objectSelector: {matchLabels: {app: web}}\n`,
      pod,
      [],
      hit,
    ],
    [
      'objectSelector matchLabels miss',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      `    objectSelector: {matchLabels: {app: db}}\n`,
      pod,
      [],
      [],
    ],
    [
      'objectSelector In',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      `    objectSelector: {matchExpressions: [{key: tier, operator: In, values: [front, back]}]}\n`,
      pod,
      [],
      hit,
    ],
    [
      'objectSelector NotIn',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      `    objectSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}\n`,
      pod,
      [],
      [],
    ],
    [
      'objectSelector Exists',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      `    objectSelector: {matchExpressions: [{key: app, operator: Exists}]}\n`,
      pod,
      [],
      hit,
    ],
    [
      'objectSelector DoesNotExist',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      `    objectSelector: {matchExpressions: [{key: app, operator: DoesNotExist}]}\n`,
      pod,
      [],
      [],
    ],
    [
      'namespaceSelector against the Namespace in the render',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      `    namespaceSelector: {matchLabels: {env: prod}}\n`,
      pod,
      [ns({ env: 'prod' })],
      hit,
    ],
    [
      'namespaceSelector miss against the Namespace in the render',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      `    namespaceSelector: {matchLabels: {env: prod}}\n`,
      pod,
      [ns({ env: 'dev' })],
      [],
    ],
    [
      'namespaceSelector without a Namespace object sees only kubernetes.io/metadata.name',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      `    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: team-a}}\n`,
      pod,
      [],
      hit,
    ],
    [
      'namespaceSelector on other labels without a Namespace object misses',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      `    namespaceSelector: {matchLabels: {env: prod}}\n`,
      pod,
      [],
      [],
    ],
    [
      'namespaceSelector does not filter cluster-scoped objects',
      `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`,
      `    namespaceSelector: {matchLabels: {env: prod}}\n`,
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } },
      [],
      hit,
    ],
  ])('%s', (_, r, extra, object, others, want) => {
    const [p] = load(vap('match', rules(r, extra)));
    expect(run(p!, object, others)).toEqual(want);
  });

  test('binding matchResources narrows the policy constraints (intersection)', () => {
    const [p] = load(
      vap(
        'narrow',
        `  matchConstraints:\n    resourceRules: [{apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}]\n  validations: [{expression: "false", message: hit}]`,
        'validationActions: [Deny]\nmatchResources:\n  resourceRules: [{apiGroups: [apps], apiVersions: ["*"], operations: ["*"], resources: [deployments]}]',
      ),
    );
    expect(run(p!, pod)).toEqual([]);
    expect(run(p!, deployment('d'))).toEqual(hit);
  });

  test('request, namespaceObject and oldObject are bound', () => {
    const [p] = load(
      vap(
        'req',
        `${DEPLOYMENTS}
  validations:
    - expression: "request.operation == 'CREATE' && request.kind.kind == 'Deployment' && request.resource.resource == 'deployments' && request.resource.group == 'apps' && request.namespace == 'team-a' && request.name == 'web' && oldObject == null && namespaceObject.metadata.name == 'team-a' && params == null"`,
      ),
    );
    expect(run(p!, deployment('web'))).toEqual([]);
    // An empty metadata.namespace is unset: the object lands in the destination namespace.
    expect(run(p!, { ...deployment('web'), metadata: { name: 'web', namespace: '' } })).toEqual([]);
  });
});

describe('hostile objects from an app repo', () => {
  const [p] = load(
    vap(
      'hostile',
      `  matchConstraints:
    resourceRules: [{apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}]
    objectSelector: {matchExpressions: [{key: app, operator: NotIn, values: [skip]}]}
  validations:
    - expression: "has(object.spec) && object.spec.replicas < 3"
      messageExpression: "'replicas: ' + string(object.spec.replicas)"
    - expression: "'x'.find('(a+)+$') == ''"`,
    ),
  );
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 20_000; i++) deep = { nested: deep };

  test.each([
    ['labels as a list', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: ['x'] } }],
    [
      'labels with non-string values',
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: { app: true } } },
    ],
    ['a numeric namespace', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 7 } }],
    ['spec as a string', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: 'nope' }],
    [
      'replicas as a string',
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' }, spec: { replicas: '9' } },
    ],
    [
      'a __proto__ key',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'a' },
        spec: JSON.parse('{"__proto__": {"replicas": 1}}') as unknown,
      },
    ],
    ['a 20,000-level object', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, spec: deep }],
  ])('%s: check returns findings and never throws', (_, object) => {
    const v = run(p!, object as never);
    expect(Array.isArray(v)).toBe(true);
    expect(v.length).toBeGreaterThan(0);
    for (const x of v) expect(x.path).toMatch(/^validations\[0\]$|^policy$/);
  });
});
