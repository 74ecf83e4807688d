// Every custom ValidatingAdmissionPolicy case of test/unit/policy/cel (policy.test.ts and
// library.test.ts), the shipped example (test/fixtures/policy/cel/basic) and docs/custom-policies.md,
// written so that the real API server can judge them too: objects are valid for their kind (a
// Deployment has its selector), params exist as objects, and every CEL library call is a validation.
// vap.suite.ts applies each case to the API server and to syncgate and compares the answers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOYMENTS, vap } from '../unit/policy/cel/harness.js';
import type { Json } from './kube.js';

export interface VapRequest {
  object: Json;
  /** Namespace the object is created in (the API server's request namespace). */
  namespace?: string;
}

export interface VapCase {
  name: string;
  /** VAPs, bindings and param objects (namespaced params without a namespace go to team-a). */
  yaml: string;
  requests: VapRequest[];
  /**
   * A difference that syncgate makes on purpose, with the reason; the test asserts the API
   * server's answer and syncgate's answer separately.
   */
  deliberate?: { why: string; apiMessage: RegExp; syncgateMessage: string };
  /**
   * A known disagreement, reported and kept: the API server refuses to create the policy (its
   * compile-time checks), syncgate loads it and the expression fails at evaluation instead. The
   * test asserts both answers exactly, so a fix on either side shows up.
   */
  refusedAtCreation?: { why: string; apiMessage: RegExp; syncgateMessage: string };
}

// The same VAP + binding builder and Deployment match the unit tests use (one definition).
export { DEPLOYMENTS, vap };

/** A valid apps/v1 Deployment (selector and template labels agree). */
export function deployment(
  name: string,
  extra: { replicas?: number; labels?: Record<string, string>; image?: string } = {},
): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: {
      replicas: extra.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: extra.image ?? 'nginx:1.27' }] } },
    },
  };
}

const dep = (name: string, extra: Parameters<typeof deployment>[1] = {}, namespace = 'team-a'): VapRequest => ({ object: deployment(name, extra), namespace });

const cm = (name: string, max: string, extra = ''): string => `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
${extra}data:
  max: "${max}"
`;

const paramSpec = `  paramKind: {apiVersion: v1, kind: ConfigMap}
${DEPLOYMENTS}
  validations:
    - expression: "object.spec.replicas <= int(params.data.max)"
      messageExpression: "'max ' + params.data.max"`;

const POD = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } };
const ALL = `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`;
const rules = (r: string, extra = ''): string => `  matchConstraints:\n    resourceRules:\n${r}\n${extra}  validations: [{expression: "false", message: hit}]`;

/** A Widget: a namespaced custom resource whose spec is free-form, as in the unit tests' objects. */
export const WIDGET_CRD: Json = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }],
  },
};

/** A cluster-scoped param kind with a free-form body (the unit test's `ReplicaLimit`). */
export const REPLICA_LIMIT_CRD: Json = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'replicalimits.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Cluster',
    names: { plural: 'replicalimits', singular: 'replicalimit', kind: 'ReplicaLimit', listKind: 'ReplicaLimitList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

/** The unit tests' library object, as a Widget. */
const WIDGET: Json = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'web', labels: { app: 'Web' } },
  spec: { replicas: 3, ratio: 0.5, ports: [443, 80, 8080], names: ['a', 'b', 'c'], url: 'https://example.com:8443/a%20b/c?x=1&x=2&y=3' },
};

/**
 * The library expressions of test/unit/policy/cel/library.test.ts, each with its expected value
 * as a CEL literal: a validation `(<expr>) == <value>` per row, all in one policy.
 */
export const LIBRARY: [string, string][] = [
  ["'Hello'.lowerAscii()", "'hello'"],
  ["'Hello'.upperAscii()", "'HELLO'"],
  ["'a,b,c'.split(',')", "['a', 'b', 'c']"],
  ["'a,b,c'.split(',', 2)", "['a', 'b,c']"],
  ["'a,b,c'.split(',', -1)", "['a', 'b', 'c']"],
  ["'a,b,c'.split(',', 0)", '[]'],
  ["'abc'.split('', 2)", "['a', 'bc']"],
  ["['a', 'b'].join('-')", "'a-b'"],
  ["'aXbX'.replace('X', '.')", "'a.b.'"],
  ["'aXbX'.replace('X', '.', 1)", "'a.bX'"],
  ["'tacocat'.substring(4)", "'cat'"],
  ["'tacocat'.substring(0, 4)", "'taco'"],
  ["'  x  '.trim()", "'x'"],
  ["'tacocat'.indexOf('c')", '2'],
  ["'tacocat'.lastIndexOf('c')", '4'],
  ["'%s has %d replicas'.format([object.metadata.name, object.spec.replicas])", "'web has 3 replicas'"],
  ["object.metadata.name.startsWith('w') && object.metadata.name.endsWith('b') && object.metadata.name.contains('e')", 'true'],
  ["object.metadata.labels.app.matches('^[A-Z][a-z]+$')", 'true'],
  ['object.spec.names.isSorted()', 'true'],
  ['object.spec.ports.isSorted()', 'false'],
  ['[].isSorted()', 'true'],
  ['object.spec.ports.sum()', '8603'],
  ['[0.5, 0.25].sum()', '0.75'],
  ['[].sum()', '0'],
  ['object.spec.ports.min()', '80'],
  ['object.spec.ports.max()', '8080'],
  ['object.spec.names.max()', "'c'"],
  ['object.spec.ports.indexOf(80)', '1'],
  ['[1, 2, 1].lastIndexOf(1)', '2'],
  ['[1, 2].indexOf(3)', '-1'],
  ["'abc 123'.find('[0-9]+')", "'123'"],
  ["'abc'.find('[0-9]+')", "''"],
  ["'1 22 333'.findAll('[0-9]+')", "['1', '22', '333']"],
  ["'1 22 333'.findAll('[0-9]+', 2)", "['1', '22']"],
  ["'ABC'.find('(?i)b')", "'B'"],
  ["'a1b2'.findAll('[0-9]*')", "['', '1', '2']"],
  ["'a,b,,c'.findAll('[^,]*')", "['a', 'b', '', 'c']"],
  ['"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!".find("(a+)+$")', "''"],
  ['"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!".findAll("(a|aa)+$")', '[]'],
  ['url(object.spec.url).getScheme()', "'https'"],
  ['url(object.spec.url).getHost()', "'example.com:8443'"],
  ['url(object.spec.url).getHostname()', "'example.com'"],
  ['url(object.spec.url).getPort()', "'8443'"],
  ['url(object.spec.url).getEscapedPath()', "'/a%20b/c'"],
  ['url(object.spec.url).getQuery()', "{'x': ['1', '2'], 'y': ['3']}"],
  ["url('https://[::1]:80/').getHostname()", "'::1'"],
  ["url('/absolute/path').getEscapedPath()", "'/absolute/path'"],
  ["url('/absolute/path').getHost()", "''"],
  ["isURL('https://example.com')", 'true'],
  ["isURL('example.com')", 'false'],
  ["isURL('/ok')", 'true'],
  ["quantity('1Gi') == quantity('1024Mi')", 'true'],
  ["quantity('1') == quantity('1000m')", 'true'],
  ["quantity('500m').isLessThan(quantity('1'))", 'true'],
  ["quantity('2k').isGreaterThan(quantity('1999'))", 'true'],
  ["quantity('1Ki').compareTo(quantity('1k'))", '1'],
  ["quantity('1k').compareTo(quantity('1e3'))", '0'],
  ["quantity('500m').isInteger()", 'false'],
  ["quantity('500m').asApproximateFloat()", '0.5'],
  ["sign(quantity('-3'))", '-1'],
  ["sign(quantity('0'))", '0'],
  ["quantity('1').add(quantity('500m')) == quantity('1500m')", 'true'],
  ["quantity('1').add(2) == quantity('3')", 'true'],
  ["sign(quantity('1').sub(quantity('1500m')))", '-1'],
  ["isQuantity('100Mi')", 'true'],
  ["isQuantity('100MB')", 'false'],
  ["isQuantity('.5')", 'true'],
  ["isQuantity('1e-3')", 'true'],
  ['object.spec.ports.all(p, p > 0) && object.spec.ports.exists(p, p == 443) && object.spec.ports.exists_one(p, p == 80)', 'true'],
  ['object.spec.ports.filter(p, p > 100).map(p, p * 2)', '[886, 16160]'],
  ['has(object.spec.replicas) && !has(object.spec.paused)', 'true'],
  ['object.spec.replicas + 1', '4'],
  ['object.spec.ratio * 2.0', '1.0'],
  ['dyn(object.spec.replicas) == 3.0', 'true'],
  ['size(object.spec)', '5'],
  ["object.spec.exists(k, k == 'ratio')", 'true'],
  ["object.metadata.labels.all(k, object.metadata.labels[k] == 'Web')", 'true'],
  ["'app' in object.metadata.labels && !('team' in object.metadata.labels)", 'true'],
  ["object.metadata.labels == {'app': 'Other'}", 'false'],
  ["type(object.spec) == map && type(object.spec.ports) == list && type(object.spec.replicas) == int && type(object.spec.ratio) == double", 'true'],
];

/** Library calls that fail at evaluation: the error message is compared. */
export const LIBRARY_ERRORS: string[] = [
  "quantity('1Z') == quantity('1')",
  "quantity('0.5').asInteger() == 0",
  "quantity('100Ei').asInteger() == 0",
  "url('not a url').getScheme() == ''",
  '[].min() == 0',
  '[9223372036854775807, 1].sum() == 0',
];

/** Double-quoted YAML scalar. */
const q = (s: string): string => JSON.stringify(s);

function libraryPolicy(name: string, rows: string[]): string {
  return vap(
    name,
    `  matchConstraints:
    resourceRules: [{apiGroups: ["example.com"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["widgets"]}]
  validations:
${rows.map((e) => `    - expression: ${q(e)}`).join('\n')}`,
    'validationActions: [Warn]',
  );
}

function docsExample(): string {
  // The policy that docs/custom-policies.md walks through: the first fenced YAML block holding a
  // ValidatingAdmissionPolicy and the next one holding its binding and param.
  const md = readFileSync(join(process.cwd(), 'docs', 'custom-policies.md'), 'utf8');
  const blocks = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const docs = blocks.filter((b) => /kind: ValidatingAdmissionPolicy(Binding)?\n/.test(b) && /apiVersion: admissionregistration/.test(b));
  return docs.join('---\n');
}

export function vapCases(): VapCase[] {
  const fixture = readFileSync(join(process.cwd(), 'test/fixtures/policy/cel/basic/replicas.yaml'), 'utf8');
  return [
    // the shipped example
    { name: 'fixture basic: replicas 3', yaml: fixture, requests: [dep('web', { replicas: 3 }), dep('web5', { replicas: 5 }), dep('web6', { replicas: 6 })] },
    { name: 'fixture basic: exempt label skips', yaml: fixture, requests: [dep('web', { replicas: 9, labels: { 'syncgate.dev/exempt': 'yes' } })] },
    { name: 'docs/custom-policies.md example', yaml: docsExample(), requests: [dep('web', { replicas: 3 }), dep('big', { replicas: 7 })] },
    // params
    { name: 'paramRef by name', yaml: vap('by-name', paramSpec, 'validationActions: [Deny]\nparamRef: {name: limits, parameterNotFoundAction: Deny}') + cm('limits', '2'), requests: [dep('a', { replicas: 2 }), dep('b', { replicas: 3 })] },
    {
      name: 'paramRef by selector',
      yaml:
        vap('by-selector', paramSpec, 'validationActions: [Warn]\nparamRef:\n  selector: {matchLabels: {tier: web}}\n  parameterNotFoundAction: Deny') +
        cm('one', '4', '  labels: {tier: web}\n') +
        cm('two', '2', '  labels: {tier: web}\n') +
        cm('other', '1', '  labels: {tier: db}\n'),
      requests: [dep('a', { replicas: 2 }), dep('b', { replicas: 3 }), dep('c', { replicas: 5 })],
    },
    {
      name: 'paramRef without a namespace uses the object namespace',
      yaml:
        vap('ns-param', paramSpec, 'validationActions: [Deny]\nparamRef: {name: limits, parameterNotFoundAction: Deny}') +
        cm('limits', '1', '  namespace: team-a\n') +
        cm('limits', '9', '  namespace: team-b\n'),
      requests: [dep('a', { replicas: 3 }, 'team-a'), dep('a', { replicas: 3 }, 'team-b'), dep('a', { replicas: 3 }, 'team-c')],
    },
    { name: 'parameterNotFoundAction Allow', yaml: vap('allow', paramSpec, 'validationActions: [Deny]\nparamRef: {name: absent, parameterNotFoundAction: Allow}'), requests: [dep('a', { replicas: 30 })] },
    { name: 'Allow with a selector matching nothing', yaml: vap('allow-sel', paramSpec, 'validationActions: [Deny]\nparamRef:\n  selector: {matchLabels: {x: z}}\n  parameterNotFoundAction: Allow') + cm('c', '1'), requests: [dep('a', { replicas: 30 })] },
    { name: 'Deny with a selector matching nothing', yaml: vap('deny-sel', paramSpec, 'validationActions: [Deny]\nparamRef:\n  selector: {matchLabels: {x: z}}\n  parameterNotFoundAction: Deny') + cm('c', '1'), requests: [dep('a')] },
    {
      name: 'params of a custom kind',
      yaml:
        vap('crd-param', `  paramKind: {apiVersion: example.com/v1, kind: ReplicaLimit}\n${DEPLOYMENTS}\n  validations:\n    - expression: "object.spec.replicas <= params.max"`, 'validationActions: [Deny]\nparamRef: {name: default, parameterNotFoundAction: Deny}') +
        `---\napiVersion: example.com/v1\nkind: ReplicaLimit\nmetadata: {name: default}\nmax: 2\n`,
      requests: [dep('a', { replicas: 2 }), dep('b', { replicas: 3 })],
    },
    // messages
    ...(
      [
        ['messageExpression wins', `message: static\n      messageExpression: "'dynamic ' + object.metadata.name"`],
        ['message when no messageExpression', 'message: static'],
        ['failed expression when neither', ''],
        ['message when messageExpression errors', `message: static\n      messageExpression: "'x' + string(object.nope)"`],
        ['message when messageExpression is multi-line', `message: static\n      messageExpression: "'a\\\\nb'"`],
        ['message when messageExpression is empty', `message: static\n      messageExpression: "''"`],
        ['message trimmed', `message: "  static  "\n      messageExpression: "'  padded  '"`],
      ] as const
    ).map(([name, fields]): VapCase => ({
      name,
      yaml: vap('m', `${DEPLOYMENTS}\n  validations:\n    - expression: "false"\n${fields ? `      ${fields}` : ''}`),
      requests: [dep('web')],
    })),
    {
      name: 'messageExpression on a Secret',
      yaml: vap('s', `  matchConstraints:\n    resourceRules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["secrets"]}]\n  validations:\n    - expression: "false"\n      message: secret refused\n      messageExpression: "string(object.data.password)"`),
      requests: [{ object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: Buffer.from('hunter2-plaintext').toString('base64') } }, namespace: 'team-a' }],
      deliberate: {
        why: 'syncgate never evaluates messageExpression for Secrets, so no Secret value reaches a finding, a log or a report',
        apiMessage: new RegExp(`denied request: ${Buffer.from('hunter2-plaintext').toString('base64')}$`),
        syncgateMessage: 'secret refused',
      },
    },
    // variables
    {
      name: 'variables are lazy; a used variable',
      yaml: vap(
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
      requests: [dep('a'), dep('b', { image: 'busybox' })],
    },
    { name: 'an erroring variable under failurePolicy Fail', yaml: vap('v2', `${DEPLOYMENTS}\n  variables:\n    - {name: x, expression: "object.spec.nope"}\n  validations:\n    - expression: "variables.x == 1"`), requests: [dep('a')] },
    // failurePolicy and matchConditions errors
    ...(['Fail', 'Ignore'] as const).flatMap((fp): VapCase[] => {
      const spec = `${DEPLOYMENTS}
  failurePolicy: ${fp}
  matchConditions:
    - name: has-team
      expression: "object.metadata.labels.team != ''"
  validations:
    - expression: "object.spec.paused == true"
      message: must be paused`;
      return [
        { name: `failurePolicy ${fp}: validation error`, yaml: vap(`fp-${fp.toLowerCase()}`, spec), requests: [dep('a', { labels: { team: 'x' } })] },
        { name: `failurePolicy ${fp}: matchCondition error`, yaml: vap(`fp-${fp.toLowerCase()}`, spec), requests: [dep('a')] },
      ];
    }),
    {
      name: 'a non-bool validation result',
      yaml: vap('nb', `${DEPLOYMENTS}\n  validations:\n    - expression: "object.metadata.name"`),
      requests: [dep('a')],
      refusedAtCreation: {
        why: 'Kubernetes requires a validation expression whose checked type is bool (dyn is refused); syncgate checks the value at evaluation',
        apiMessage: /spec\.validations\[0\]\.expression: Invalid value: "object\.metadata\.name": must evaluate to bool but got dyn/,
        syncgateMessage: "expression 'object.metadata.name' resulted in error: expression returned string, want bool",
      },
    },
    {
      name: 'a messageExpression that is not a string',
      yaml: vap('m', `${DEPLOYMENTS}\n  validations:\n    - expression: "false"\n      message: static\n      messageExpression: "1"`),
      requests: [dep('web')],
      refusedAtCreation: {
        why: 'Kubernetes requires a messageExpression whose checked type is string; syncgate falls back to message at evaluation',
        apiMessage: /spec\.validations\[0\]\.messageExpression: Invalid value: "1": must evaluate to string but got int/,
        syncgateMessage: 'static',
      },
    },
    {
      name: 'params without a paramKind',
      yaml: vap('noparams', `${DEPLOYMENTS}\n  validations:\n    - expression: "params == null"`),
      requests: [dep('web')],
      refusedAtCreation: {
        why: "Kubernetes declares params only when the policy has a paramKind; syncgate binds params as null",
        apiMessage: /undeclared reference to 'params'/,
        syncgateMessage: '',
      },
    },
    // validationActions
    ...['[Deny]', '[Warn]', '[Audit]', '[Warn, Audit]', '[Deny, Audit]'].map(
      (actions): VapCase => ({
        name: `validationActions ${actions}`,
        yaml: vap('a', `${DEPLOYMENTS}\n  validations: [{expression: "object.spec.replicas < 3", message: too many}]`, `validationActions: ${actions}`),
        requests: [dep('a', { replicas: 5 })],
      }),
    ),
    {
      name: 'several bindings',
      yaml:
        vap('multi', `${DEPLOYMENTS}\n  validations: [{expression: "object.spec.replicas < 3"}]`, 'validationActions: [Warn]') +
        `---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: prod}
spec:
  policyName: multi
  validationActions: [Deny]
  matchResources:
    namespaceSelector: {matchLabels: {env: prod}}
`,
      requests: [dep('a', { replicas: 5 }, 'team-a'), dep('a', { replicas: 5 }, 'team-prod')],
    },
    // matching
    ...(
      [
        ['wildcards', ALL, ''],
        ['core group pods', `      - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}`, ''],
        ['UPDATE only', `      - {apiGroups: [""], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["pods"]}`, ''],
        ['other group', `      - {apiGroups: ["apps"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`, ''],
        ['other version', `      - {apiGroups: [""], apiVersions: ["v2"], operations: ["*"], resources: ["pods"]}`, ''],
        ['subresource rule only', `      - {apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["pods/status"]}`, ''],
        ['*/* includes main resources', `      - {apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["*/*"]}`, ''],
        ['resourceNames hit', `      - {apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["pods"], resourceNames: ["p"]}`, ''],
        ['resourceNames miss', `      - {apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["pods"], resourceNames: ["q"]}`, ''],
        ['scope Cluster misses a pod', `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"], scope: Cluster}`, ''],
        ['scope Namespaced hits a pod', `      - {apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"], scope: Namespaced}`, ''],
        ['excludeResourceRules', ALL, `    excludeResourceRules:\n      - {apiGroups: [""], apiVersions: ["*"], operations: ["*"], resources: ["pods"]}\n`],
        ['objectSelector matchLabels hit', ALL, `    objectSelector: {matchLabels: {app: web}}\n`],
        ['objectSelector matchLabels miss', ALL, `    objectSelector: {matchLabels: {app: db}}\n`],
        ['objectSelector In', ALL, `    objectSelector: {matchExpressions: [{key: tier, operator: In, values: [front, back]}]}\n`],
        ['objectSelector NotIn', ALL, `    objectSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}\n`],
        ['objectSelector Exists', ALL, `    objectSelector: {matchExpressions: [{key: app, operator: Exists}]}\n`],
        ['objectSelector DoesNotExist', ALL, `    objectSelector: {matchExpressions: [{key: app, operator: DoesNotExist}]}\n`],
        ['namespaceSelector matchLabels', ALL, `    namespaceSelector: {matchLabels: {env: prod}}\n`],
        ['namespaceSelector kubernetes.io/metadata.name', ALL, `    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: team-a}}\n`],
      ] as const
    ).map(
      ([name, r, extra]): VapCase => ({
        name: `matching: ${name}`,
        yaml: vap('match', rules(r, extra)),
        requests: [
          { object: POD, namespace: 'team-a' },
          { object: POD, namespace: 'team-prod' },
        ],
      }),
    ),
    {
      name: 'matching: namespaceSelector does not filter cluster-scoped objects',
      yaml: vap('match', rules(`      - {apiGroups: ["rbac.authorization.k8s.io"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}`, `    namespaceSelector: {matchLabels: {env: prod}}\n`)),
      requests: [{ object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } } }],
    },
    {
      name: 'binding matchResources narrows the policy constraints',
      yaml: vap(
        'narrow',
        `  matchConstraints:\n    resourceRules: [{apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}]\n  validations: [{expression: "false", message: hit}]`,
        'validationActions: [Deny]\nmatchResources:\n  resourceRules: [{apiGroups: [apps], apiVersions: ["*"], operations: ["*"], resources: [deployments]}]',
      ),
      requests: [{ object: POD, namespace: 'team-a' }, dep('d')],
    },
    {
      name: 'request, namespaceObject and oldObject are bound',
      yaml: vap(
        'req',
        `${DEPLOYMENTS}
  validations:
    - expression: "request.operation == 'CREATE' && request.kind.kind == 'Deployment' && request.resource.resource == 'deployments' && request.resource.group == 'apps' && request.namespace == 'team-a' && request.name == 'web' && oldObject == null && namespaceObject.metadata.name == 'team-a'"
      messageExpression: "'op=' + request.operation + ' ns=' + request.namespace + ' name=' + request.name + ' kind=' + request.kind.group + '/' + request.kind.version + '/' + request.kind.kind"`,
      ),
      requests: [dep('web'), dep('other')],
    },
    // the CEL library, every function the unit tests cover
    { name: 'CEL library values', yaml: libraryPolicy('library', LIBRARY.map(([e, want]) => `(${e}) == ${want}`)), requests: [{ object: WIDGET, namespace: 'team-a' }] },
    { name: 'CEL library errors', yaml: libraryPolicy('library-errors', LIBRARY_ERRORS), requests: [{ object: WIDGET, namespace: 'team-a' }] },
    {
      name: 'CEL: asInteger of a fractional-notation quantity',
      yaml: vap('as-int', `  matchConstraints:\n    resourceRules: [{apiGroups: ["example.com"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["widgets"]}]\n  validations:\n    - expression: "quantity('1.5Gi').asInteger() == 1610612736"`),
      requests: [{ object: WIDGET, namespace: 'team-a' }],
      deliberate: {
        why: 'not deliberate, a known disagreement: resource.Quantity keeps 1.5Gi as an inf.Dec, whose AsInt64 fails; syncgate computes the exact integer',
        apiMessage: /denied request: expression 'quantity\('1\.5Gi'\)\.asInteger\(\) == 1610612736' resulted in error: cannot convert value to integer$/,
        syncgateMessage: '',
      },
    },
    {
      name: 'CEL: a list literal of mixed types',
      yaml: libraryPolicy('mixed-list', ["[1, 'a'].isSorted()"]),
      requests: [{ object: WIDGET, namespace: 'team-a' }],
      refusedAtCreation: {
        why: 'Kubernetes type-checks with homogeneous aggregate literals; syncgate does not type-check list literals',
        apiMessage: /spec\.validations\[0\]\.expression: Invalid value: "\[1, 'a'\]\.isSorted\(\)": compilation failed: ERROR: <input>:1:5: expected type 'int' but found 'string'/,
        syncgateMessage: "expression '[1, 'a'].isSorted()' resulted in error: no such overload: list elements of different types",
      },
    },
    {
      name: 'CEL: an invalid constant regex',
      yaml: libraryPolicy('bad-regex', ["'a'.find('[') == ''"]),
      requests: [{ object: WIDGET, namespace: 'team-a' }],
      refusedAtCreation: {
        why: 'Kubernetes compiles constant regex arguments when it builds the program; syncgate compiles them on first use',
        apiMessage: /spec\.validations\[0\]\.expression: Internal error: program instantiation failed: error parsing regexp: missing closing \]: `\[`/,
        syncgateMessage: "expression ''a'.find('[') == ''' resulted in error: invalid regex \"[\": error parsing regexp: missing closing ]: `[`",
      },
    },
  ];
}
